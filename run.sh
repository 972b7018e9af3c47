#!/usr/bin/env bash
# tuplestar: set-up, build, tests, benchmarks, and (later) the topology launcher.
#   ./run.sh setup   install missing Debian packages (as root) and configure
#   ./run.sh build   set-up when needed, then build
#   ./run.sh test    build, then run every test through ctest
#   ./run.sh bench   build, then run the benchmarks
#   ./run.sh         build, then print usage (the default cluster comes with the launcher)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${TS_BUILD_DIR:-$ROOT/build}"
JOBS="${TS_JOBS:-$(nproc)}"

# Debian packages the build, the tests and the benchmarks need.
PACKAGES=(
  build-essential cmake pkg-config python3
  libzmq3-dev cppzmq-dev
  capnproto libcapnp-dev libssl-dev
  libpcre2-dev
  catch2 libbenchmark-dev
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libedit-dev
)

log() { printf '[run.sh] %s\n' "$*" >&2; }

missing_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  echo "${missing[@]:-}"
}

install_packages() {
  local missing
  missing="$(missing_packages)"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing packages: $missing"
    log "run as root, or install them yourself:"
    echo "  sudo apt-get update && sudo apt-get install -y $missing"
    exit 1
  fi
  log "installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

configure() {
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    log "configuring in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
}

cmd_setup() { install_packages; configure; }

cmd_build() {
  cmd_setup
  log "building with $JOBS jobs"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

cmd_test() {
  cmd_build
  log "running tests"
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" --timeout 900)
}

cmd_bench() {
  cmd_build
  log "micro-benchmarks (space and codec)"
  "$BUILD_DIR/bench/ts_microbench" --benchmark_counters_tabular=true "$@"
}

usage() {
  cat <<USAGE
tuplestar — a fault-tolerant tuple space on a ZeroMQ cluster

  ./run.sh setup    install missing Debian packages (root) and configure the build
  ./run.sh build    build everything into ${BUILD_DIR#"$ROOT"/}
  ./run.sh test     build and run every test (what CI runs)
  ./run.sh bench    build and run the benchmarks
USAGE
}

main() {
  local command="${1:-}"
  [ $# -gt 0 ] && shift
  case "$command" in
    setup) cmd_setup ;;
    build) cmd_build ;;
    test) cmd_test ;;
    bench) cmd_bench "$@" ;;
    "") cmd_build; usage ;;
    -h|--help|help) usage ;;
    *) log "unknown command: $command"; usage; exit 2 ;;
  esac
}

main "$@"
