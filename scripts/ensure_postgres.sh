#!/usr/bin/env bash
# CI needs a PostgreSQL server on 127.0.0.1:5432 that trusts local connections (as on these machines).
# If none answers: start the installed cluster, or install Debian's PostgreSQL (as root) and start it.
set -euo pipefail

ready() { command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
ready && exit 0

if [ ! -d /etc/postgresql ] || [ -z "$(ls -A /etc/postgresql 2>/dev/null)" ]; then
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "CI needs PostgreSQL on 127.0.0.1:5432 with trust authentication." >&2
    echo "Install it with: sudo apt-get install -y postgresql, then allow local trust in pg_hba.conf" >&2
    exit 1
  fi
  echo "Installing Debian's PostgreSQL for the tests…"
  bash "$(dirname "$0")/apt_install.sh" postgresql
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  # A throwaway test server: trust connections from this machine only, as the project's machines do.
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  sed -i -E 's/^(local|host)(\s+.*\s+)(peer|md5|scram-sha-256)$/\1\2trust/' "$hba"
fi

version="$(ls /etc/postgresql | sort -V | tail -n 1)"
echo "Starting PostgreSQL $version…"
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
echo "PostgreSQL did not start on 127.0.0.1:5432: see /var/log/postgresql/" >&2
exit 1
