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
UV=(uv)
if ! command -v uv >/dev/null; then
  echo "Installing uv (the lock-file installer) with pip…"
  python3 -m pip install --quiet --disable-pip-version-check uv
  UV=(python3 -m uv)  # a fresh pip install may not be on PATH yet (pyenv shims, ~/.local/bin)
fi
# Compiled once here: the Makefile stops Python writing bytecode at run time (no __pycache__ in the source tree),
# so without this every new process (a web worker, a test run) compiles each library it imports (seconds each).
"${UV[@]}" sync --frozen --quiet --compile-bytecode --python "$(command -v python3)"

# WeasyPrint (privacy notice and panel-pack PDFs) needs Pango from the system, not from PyPI.
if ! .venv/bin/python -c "import weasyprint" 2>/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Pango for PDF rendering (WeasyPrint)…"
    bash "$(dirname "$0")/apt_install.sh" libpango-1.0-0 libpangoft2-1.0-0
  fi
  .venv/bin/python -c "import weasyprint" || {
    echo "PDF rendering needs Pango: install it with: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0" >&2
    exit 1
  }
fi
