#!/usr/bin/env bash
# Install the browser assets from the npm registry and copy what the pages load into the
# (gitignored) static folder. Called by `make install`.
#
# It never fails the build: without npm, or offline, the service guide simply shows the
# process as a list of steps instead of a diagram, and the ratings statistics page shows its
# tables without charts.
set -u
cd "$(dirname "$0")"
DEST=../src/onewindow/catalog/static/catalog/vendor
STAMP="$DEST/.built"
CHARTS=../src/onewindow/ratings/static/ratings/vendor

if ! command -v npm >/dev/null 2>&1; then
  echo "frontend: npm not found; the service guide will show process steps without a diagram"
  exit 0
fi
if ! npm ci --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=30000; then
  echo "frontend: npm ci failed (offline?); the service guide will show process steps without a diagram"
  exit 0
fi
DIST=node_modules/bpmn-js/dist
mkdir -p "$DEST"
cp "$DIST/bpmn-viewer.production.min.js" "$DEST/"
cp "$DIST/assets/diagram-js.css" "$DIST/assets/bpmn-js.css" "$DEST/"
mkdir -p "$CHARTS"
cp node_modules/echarts/dist/echarts.min.js "$CHARTS/"
touch "$STAMP"
echo "frontend: echarts $(node -p "require('./node_modules/echarts/package.json').version" 2>/dev/null) copied to $CHARTS"
echo "frontend: bpmn-js $(node -p "require('./node_modules/bpmn-js/package.json').version" 2>/dev/null) copied to $DEST"
