#!/usr/bin/env bash
# Tools the tests drive for real, installed with apt-get where missing: chromium (the
# dashboard's browser tests, through playwright-core; no browser is ever downloaded).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "${missing[*]} missing; installing with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "the tests need: ${missing[*]} (e.g. 'sudo apt-get install -y ${missing[*]}')" >&2
exit 1
