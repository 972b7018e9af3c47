#!/usr/bin/env bash
# bench/peers/install.sh: the Debian packages of the peers tuplestar is
# measured against (issue 15): Redis (server, replica, redis-benchmark),
# etcd 3.4 (server and etcdctl), and the -dev packages the drivers are built
# on (hiredis for redis_wait_bench, cpp-httplib for etcd_bench).
#
#   bench/peers/install.sh [--check]
#
# Exit codes: 0 when everything is installed (already, or now, as root);
# 2 when something is missing and this is not root (the command to run is
# printed, and the benchmark skips the peers with a note); 1 when apt-get
# failed. --check installs nothing: 0 when all present, 2 otherwise.
set -euo pipefail

PACKAGES=(redis-server redis-tools etcd-server etcd-client libhiredis-dev libcpp-httplib-dev)

log() { printf '[peers/install] %s\n' "$*" >&2; }

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) log "unknown option $1 (see --help)"; exit 2 ;;
esac

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ $check_only = 1 ]; then
  log "missing: ${missing[*]}"
  exit 2
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  log "missing: ${missing[*]}; as root, run:"
  log "  apt-get install -y --no-install-recommends ${missing[*]}"
  exit 2
fi
log "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Where the init system starts the packages' own services, they are left alone:
# the benchmark starts its own servers on free loopback ports.
if ! { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  log "apt-get could not install ${missing[*]}"
  exit 1
fi
log "installed; rebuild (cmake) so that the drivers are configured with hiredis and cpp-httplib"
