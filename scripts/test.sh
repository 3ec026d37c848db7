#!/usr/bin/env bash
# `npm test`: every check CI runs — formatting, lint, types, the test suite, the quick proof.
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
# the reliability suites with their quick counts (`npm run proof` runs them in full)
node --import tsx proof/main.ts --quick || status=$?
node scripts/summarize-tests.mjs "$report"
rm -f "$report"
exit "$status"
