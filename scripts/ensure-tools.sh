#!/usr/bin/env bash
# Command-line tools the tests drive as real clients (the gateway tests use curl); installs
# the missing ones with apt-get where that is possible.
set -euo pipefail
missing=()
for tool in curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "the tests need: ${missing[*]} (e.g. 'sudo apt-get install -y ${missing[*]}')" >&2
exit 1
