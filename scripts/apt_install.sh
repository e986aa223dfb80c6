#!/usr/bin/env bash
# Install Debian packages (as root): `bash scripts/apt_install.sh PACKAGE...`. `make test` fetches its prerequisites
# side by side, and more than one of them may need apt; apt takes one caller at a time, so callers queue on a lock
# here instead of failing on apt's own.
set -euo pipefail
exec 9>/tmp/earlyhelp-apt.lock
flock 9
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
