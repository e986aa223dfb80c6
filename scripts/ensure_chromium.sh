#!/usr/bin/env bash
# The browser journey tests drive Debian's chromium (a test tool cannot download its own browser here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  bash "$(dirname "$0")/apt_install.sh" chromium
  exit 0
fi
echo "The browser tests need Debian's chromium at /usr/bin/chromium." >&2
echo "Install it with: sudo apt-get install -y chromium" >&2
exit 1
