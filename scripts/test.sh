#!/usr/bin/env bash
# `npm test`: every check CI runs — formatting, lint, types, then the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "node $(node --version)"
bash scripts/ensure-tools.sh
npx prettier --check . --log-level warn
npx eslint .
npx tsc -p tsconfig.json --noEmit
# the published shape: build, then import every entry point by its package name
rm -rf dist && npx tsc -p tsconfig.build.json && node scripts/check-exports.mjs
report="$(mktemp)"
status=0
npx vitest run --coverage --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node scripts/summarize-tests.mjs "$report"
rm -f "$report"
exit "$status"
