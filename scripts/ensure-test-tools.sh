#!/bin/sh
# The test suite runs promtool (Debian package "prometheus") on Bellwether's /metrics.
# Installs it when missing and we may (root with apt-get); otherwise says how.
set -e
if command -v promtool >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: installing Debian package prometheus (for promtool)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  exit 0
fi
echo "ensure-test-tools: promtool is missing; install it with: sudo apt-get install prometheus" >&2
exit 1
