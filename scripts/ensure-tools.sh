#!/usr/bin/env bash
# Servers and tools the tests drive for real, installed with apt-get (one update, one install)
# where missing: redis-server, redis-cli (a Redis Cluster is made with --cluster create) and
# redis-sentinel for the shared store; prometheus and promtool for the exporter and the shipped
# rules; chromium for the dashboard's browser tests (through playwright-core: no browser is
# ever downloaded); curl, a client the gateway is tested with.
set -euo pipefail
# command → the Debian package that provides it
needs=(
  redis-server:redis-server
  redis-cli:redis-tools
  redis-sentinel:redis-sentinel
  prometheus:prometheus
  promtool:prometheus
  chromium:chromium
  curl:curl
)
missing=()
for need in "${needs[@]}"; do
  command="${need%%:*}"
  package="${need#*:}"
  if ! command -v "$command" >/dev/null 2>&1 && [[ ! " ${missing[*]} " =~ " $package " ]]; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "the tests need ${missing[*]}: install them (e.g. 'sudo apt-get install -y ${missing[*]}')" >&2
exit 1
