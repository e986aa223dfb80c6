#!/usr/bin/env bash
# Data matching at consortium scale runs on Apache Spark (pyspark), which needs a Java 17+ runtime; the tests
# prove Spark gives the same links as DuckDB, so they need it too.
set -euo pipefail
if command -v java >/dev/null && java -version 2>&1 | grep -Eq 'version "(1[7-9]|2[0-9])'; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's Java runtime for Apache Spark…"
  bash "$(dirname "$0")/apt_install.sh" openjdk-17-jre-headless
  exit 0
fi
echo "Data matching on Apache Spark needs Java 17 or later." >&2
echo "Install it with: sudo apt-get install -y openjdk-17-jre-headless" >&2
exit 1
