#!/bin/sh
# The test suite runs promtool and Prometheus (Debian package "prometheus"), amtool and
# Alertmanager ("prometheus-alertmanager"), headless Chromium ("chromium", at
# /usr/bin/chromium), python3 (the Python client example) and libfaketime ("faketime", for the
# wall-clock step tests). Installs what is missing when we may (root with apt-get); otherwise
# fails, naming the command to run: no test is skipped for want of a tool.
set -e
chromium="${CHROMIUM:-/usr/bin/chromium}"
need=""
command -v promtool >/dev/null 2>&1 || need="$need prometheus"
command -v amtool >/dev/null 2>&1 || need="$need prometheus-alertmanager"
[ -x "$chromium" ] || need="$need chromium"
command -v python3 >/dev/null 2>&1 || need="$need python3"
# Wall-clock steps are tested under libfaketime ("faketime", which brings libfaketime).
command -v faketime >/dev/null 2>&1 || need="$need faketime"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-tools: installing Debian packages:$need" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need >/dev/null
  exit 0
fi
echo "ensure-test-tools: missing:$need; install with: sudo apt-get install$need" >&2
exit 1
