#!/usr/bin/env bash
# Install the locked Python dependencies into .venv (creates it if needed).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null; then
  echo "Python 3.11 is required: install it, then run this again." >&2; exit 1
fi
if ! python3 -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "earlyhelp needs Python 3.11 (found $(python3 --version)); Django 5.2 LTS is pinned for it." >&2; exit 1
fi
if ! command -v uv >/dev/null; then
  echo "Installing uv (the lock-file installer) with pip…"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv sync --frozen --quiet --python "$(command -v python3)"
