#!/bin/sh
# Fetches the pinned GOV.UK Frontend (web/package-lock.json) and copies its
# styles, script, fonts and images where `penholder serve` serves them:
# web/govuk/ and web/assets/ (both generated, not committed).
set -eu
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1; then
    echo "web-assets: npm is not installed; the browser interface will be unstyled" >&2
    exit 0
fi
if [ ! -d node_modules/govuk-frontend ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
fi
src=node_modules/govuk-frontend/dist/govuk
mkdir -p govuk assets
cp "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" govuk/
cp -R "$src/assets/fonts" "$src/assets/images" assets/
