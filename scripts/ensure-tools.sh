#!/usr/bin/env bash
# Servers the tests run for real besides Redis: installs each Debian package that is missing.
# Usage: ensure-tools.sh <command>=<package> … (e.g. prometheus=prometheus promtool=prometheus)
set -euo pipefail
missing=()
for pair in "$@"; do
  command="${pair%%=*}"
  package="${pair#*=}"
  if ! command -v "$command" >/dev/null 2>&1; then missing+=("$package"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
# One package can provide several commands.
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${packages[*]} with apt-get for the tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  exit 0
fi
echo "the tests need ${packages[*]}: install them (e.g. 'sudo apt-get install -y ${packages[*]}')" >&2
exit 1
