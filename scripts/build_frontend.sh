#!/usr/bin/env bash
# Build the front end: GOV.UK Frontend 6 (npm) -> Django static files.
#
#   bash scripts/build_frontend.sh     (or: npm run build)
#
# Run from the repository root. Safe to run again: it reinstalls node_modules only
# when it is missing or older than package-lock.json, and replaces the build output.
# The output folder src/earlyhelp/web/static/earlyhelp/build/ is git-ignored.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
  echo "build_frontend: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || die "node is not installed (Node.js 20 or later is needed to build the front end)"
command -v npm >/dev/null 2>&1 || die "npm is not installed (it comes with Node.js 20 or later)"
[[ -f package-lock.json ]] || die "package-lock.json is missing: run this from the repository root"

SRC_SCSS="frontend/earlyhelp.scss"
OUT_DIR="src/earlyhelp/web/static/earlyhelp/build"
GOVUK_DIST="node_modules/govuk-frontend/dist/govuk"

# npm writes node_modules/.package-lock.json on every install; compare with it so an
# updated package-lock.json (new versions pinned) triggers a clean install.
if [[ ! -d node_modules || ! -f node_modules/.package-lock.json \
      || package-lock.json -nt node_modules/.package-lock.json \
      || ! -x node_modules/.bin/sass || ! -d "$GOVUK_DIST" ]]; then
  echo "build_frontend: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  touch node_modules/.package-lock.json
fi

[[ -x node_modules/.bin/sass ]] || die "node_modules/.bin/sass is missing after npm ci"
[[ -d "$GOVUK_DIST" ]] || die "$GOVUK_DIST is missing after npm ci"

mkdir -p "$OUT_DIR"

# Compile to a temporary file first so a failed build never leaves half a stylesheet.
tmp_css="$(mktemp "$OUT_DIR/.earlyhelp.css.XXXXXX")"
trap 'rm -f "$tmp_css"' EXIT
node_modules/.bin/sass \
  --style=compressed \
  --no-source-map \
  --load-path=node_modules \
  --quiet-deps \
  "$SRC_SCSS" "$tmp_css"

# Councils must not use GDS Transport (or the crown): refuse output that loads it.
if grep -qi "GDS Transport" "$tmp_css"; then
  die "compiled CSS mentions GDS Transport: check \$govuk-font-family and \$govuk-include-default-font-face in $SRC_SCSS"
fi
chmod 0644 "$tmp_css"
mv -f "$tmp_css" "$OUT_DIR/earlyhelp.css"
trap - EXIT

# Assets: images and the web manifest. The GDS Transport font files are left out:
# they are licensed for GOV.UK only and nothing here refers to them.
rm -rf "$OUT_DIR/assets"
cp -R "$GOVUK_DIST/assets" "$OUT_DIR/assets"
rm -rf "$OUT_DIR/assets/fonts"

cp -f "$GOVUK_DIST/govuk-frontend.min.js" "$OUT_DIR/govuk-frontend.min.js"

# GOV.UK's accessible autocomplete, for long lists of organisations and practitioners (loaded by init.js).
AUTOCOMPLETE_DIST="node_modules/accessible-autocomplete/dist"
[[ -f "$AUTOCOMPLETE_DIST/accessible-autocomplete.min.js" ]] || die "$AUTOCOMPLETE_DIST is missing after npm ci"
cp -f "$AUTOCOMPLETE_DIST/accessible-autocomplete.min.js" "$AUTOCOMPLETE_DIST/accessible-autocomplete.min.css" "$OUT_DIR/"

echo "build_frontend: built $OUT_DIR/earlyhelp.css ($(wc -c <"$OUT_DIR/earlyhelp.css") bytes), assets/, govuk-frontend.min.js and accessible-autocomplete"
