#!/usr/bin/env bash
# tuplestar: set-up, build, tests, benchmarks, and the topology launcher.
#   ./run.sh setup   install missing Debian packages (as root) and configure
#   ./run.sh build   set-up when needed, then build
#   ./run.sh test    build, then run every test through ctest, then a 10 s fuzz smoke per harness
#   ./run.sh bench   build, then run the benchmarks
#   ./run.sh chaos   (root) the fault campaign: cluster in network namespaces, nemesis, checker
#   ./run.sh         build when needed, then run 2 brokers + 3 nodes in the foreground
#   ./run.sh help    every launcher command (up, down, status, kill, stop, restart, logs, cli)
# The launcher is build/launcher/tscluster (launcher/, C++); run.sh builds it when
# needed and hands it the launcher commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${TS_BUILD_DIR:-$ROOT/build}"
JOBS="${TS_JOBS:-$(nproc)}"

# The launcher commands run build/launcher/tscluster (launcher/, C++); its limits
# and timeouts are named in launcher/launcher_settings.h, each overridable from
# the environment as TS_<NAME> (e.g. TS_RESTART_MAX_ATTEMPTS=10). Those the help
# text shows are read here with the same defaults.
DEFAULT_NODE_COUNT="${TS_NODES:-3}"
DEFAULT_PORT_BASE="${TS_PORT_BASE:-5555}"
DEFAULT_DATA_DIR="${TS_DATA_DIR:-$ROOT/data}"
RESTART_FIRST_DELAY_MS="${TS_RESTART_FIRST_DELAY_MS:-500}"
RESTART_MAX_DELAY_MS="${TS_RESTART_MAX_DELAY_MS:-8000}"
RESTART_MAX_ATTEMPTS="${TS_RESTART_MAX_ATTEMPTS:-5}"
((RESTART_MAX_DELAY_MS >= RESTART_FIRST_DELAY_MS)) || RESTART_MAX_DELAY_MS=$RESTART_FIRST_DELAY_MS

# Debian packages the build, the tests and the benchmarks need.
PACKAGES=(
  build-essential cmake pkg-config python3
  libzmq3-dev cppzmq-dev
  capnproto libcapnp-dev libssl-dev
  libpcre2-dev
  catch2 libbenchmark-dev
  libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libedit-dev libabsl-dev
  libgoogle-perftools-dev
  libhiredis-dev libcpp-httplib-dev   # bench/peers' drivers; the metrics endpoints
  prometheus   # promtool, which checks the metrics exposition in tests/metrics
  redis-server redis-tools etcd-server etcd-client   # the real peers tests/peers runs against
  iproute2 nftables gnuplot   # ./run.sh chaos: namespaces, partitions, the timeline
)

log() { printf '[run.sh] %s\n' "$*" >&2; }
warn() { printf '[run.sh] warning: %s\n' "$*" >&2; }
die() { printf '[run.sh] error: %s\n' "$1" >&2; exit "${2:-1}"; }

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

# The fuzz smoke of ./run.sh test: every libFuzzer harness for this many
# seconds with ASan + UBSan, when clang-14 is there (TS_FUZZ_SMOKE_S=0: skip).
# 10 s, not the 20 s of a full CI fuzz run: with a cold ccache the sanitized
# build alone takes ~5.5 min on 2 cores, and the whole smoke must stay near 6.
readonly kFuzzSmokeSeconds=10

cmd_test() {
  cmd_build
  log "running tests"
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" --timeout 900)
  cmd_chaos_smoke
  local smoke="${TS_FUZZ_SMOKE_S:-$kFuzzSmokeSeconds}"
  if [ "$smoke" = 0 ]; then
    log "fuzz smoke skipped (TS_FUZZ_SMOKE_S=0)"
  elif command -v clang-14 >/dev/null && command -v clang++-14 >/dev/null; then
    log "fuzz smoke: each harness ${smoke} s with ASan + UBSan (TS_FUZZ_SMOKE_S=0 skips it)"
    local started=$SECONDS
    "$ROOT/tests/fuzz/run_fuzz.sh" "$smoke"
    log "fuzz smoke passed in $((SECONDS - started)) s (build included)"
  else
    log "fuzz smoke skipped: clang-14 is not installed (./run.sh fuzz installs it)"
  fi
}

# The fault campaign's smoke in ./run.sh test: `chaos --quick` when root (the
# namespaces need it), bounded: no round starts after this many seconds
# (TS_CHAOS_SMOKE_S=0: skip).
readonly kChaosSmokeSeconds=180

cmd_chaos_smoke() {
  local budget="${TS_CHAOS_SMOKE_S:-$kChaosSmokeSeconds}"
  if [ "$budget" = 0 ]; then
    log "chaos smoke skipped (TS_CHAOS_SMOKE_S=0)"
  elif [ "$(id -u)" -ne 0 ]; then
    log "chaos smoke skipped: network namespaces need root"
  else
    log "chaos smoke: ./run.sh chaos --quick (rounds stop after ${budget} s; TS_CHAOS_SMOKE_S=0 skips it)"
    local started=$SECONDS
    TS_SKIP_BUILD=1 cmd_chaos --quick --time-budget-s "$budget"
    log "chaos smoke passed in $((SECONDS - started)) s"
  fi
}

# ./run.sh chaos [--rounds N] [--seed S] [--quick] [...]: build/launcher/chaos/tschaos
# (tschaos --help), results in DIR/chaos-<time> (default ./results).
cmd_chaos() {
  if [ "${TS_SKIP_BUILD:-0}" != 1 ]; then
    cmd_setup
    local targets=(tschaos tsbroker tsnode)
    for optional in tschaos-history tschaos-check; do  # the history clients and the checker, once built here
      cmake --build "$BUILD_DIR" --target help | grep -q "^\.\.\. $optional\$" && targets+=("$optional")
    done
    log "building ${targets[*]} when needed"
    cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]}" >&2
  fi
  [ -x "$BUILD_DIR/launcher/chaos/tschaos" ] || die "$BUILD_DIR/launcher/chaos/tschaos is missing: build it with ./run.sh build"
  local dir_given=0
  for arg in "$@"; do [ "$arg" = --dir ] && dir_given=1; done
  local dir_args=()
  [ "$dir_given" = 1 ] || dir_args=(--dir "${TS_CHAOS_DIR:-$ROOT/results}")
  "$BUILD_DIR/launcher/chaos/tschaos" --build-dir "$BUILD_DIR" "${dir_args[@]}" "$@"
}

# The launcher and the three binaries it runs, built when missing or out of
# date (TS_SKIP_BUILD=1: use what is in $BUILD_DIR as is, e.g. from tests).
ensure_binaries() {
  [ "${TS_SKIP_BUILD:-0}" = 1 ] && return 0
  cmd_setup
  log "building tscluster, tsbroker, tsnode and tsctl when needed (in ${BUILD_DIR#"$ROOT"/})"
  cmake --build "$BUILD_DIR" -j "$JOBS" --target tscluster tsbroker tsnode tsctl >&2
}

# A launcher command: tscluster does it (the same commands, output and exit codes).
launcher() {
  ensure_binaries
  [ -x "$BUILD_DIR/launcher/tscluster" ] || die "$BUILD_DIR/launcher/tscluster is missing: build it with ./run.sh build"
  TS_BUILD_DIR="$BUILD_DIR" TS_DATA_DIR="$DEFAULT_DATA_DIR" exec "$BUILD_DIR/launcher/tscluster" "$@"
}

cmd_bench() {
  cmd_build
  # Micro-benchmarks, then tuplestar / ceiling / Redis alternated, then the
  # failover, resync and memory figures: bench/run_bench.sh --help.
  # --scaling: nodes, stored pairs, value sizes instead: bench/run_scaling.sh --help.
  if [ "${1:-}" = --scaling ]; then shift; cmd_scaling "$@"; return; fi
  TS_BUILD_DIR="$BUILD_DIR" TS_JOBS="$JOBS" "$ROOT/bench/run_bench.sh" "$@"
}
cmd_scaling() { cmd_build; TS_BUILD_DIR="$BUILD_DIR" TS_JOBS="$JOBS" "$ROOT/bench/run_scaling.sh" "$@"; }

# libFuzzer harnesses (clang + ASan/UBSan, their own build dir), SECONDS each:
# tests/fuzz/run_fuzz.sh --help.
cmd_fuzz() { "$ROOT/tests/fuzz/run_fuzz.sh" "$@"; }

usage() {
  cat <<USAGE
tuplestar — a fault-tolerant tuple space on a ZeroMQ cluster

Build and test:
  ./run.sh setup    install missing Debian packages (root) and configure the build
  ./run.sh build    build everything into ${BUILD_DIR#"$ROOT"/}
  ./run.sh test     build and run every test, then each fuzz harness 10 s (what CI runs)
  ./run.sh bench    build and run the benchmarks
  ./run.sh scaling  build and run the scaling benchmark (also: bench --scaling; --quick, --max-pairs N)
  ./run.sh fuzz [SECONDS]   build the libFuzzer harnesses (clang) and run each SECONDS (default 60)
  ./run.sh chaos [--rounds N] [--seed S] [--quick]   (root) the fault campaign: the cluster in network
                    namespaces, history clients, the nemesis, the checker; report in results/chaos-<time>

Run a local cluster (2 brokers + N nodes; data, logs and state in DIR):
  ./run.sh                     build when needed, then 2 brokers + 3 nodes in the foreground,
                               data in ./data; Ctrl-C shuts down in order, data saved
  ./run.sh start [--nodes N] [--brokers B] [--port BASE] [--dir DIR] [--load FILE]   the same, with options
  ./run.sh up    [--nodes N] [--brokers B] [--port BASE] [--dir DIR] [--load FILE]   the same, in the background
  ./run.sh up --cluster FILE [--host NAME] [--dir DIR]   the parts of a cluster file (only host NAME's:
                               the others run on their own machines); docs/OPERATIONS.md "The cluster file"
  ./run.sh down   [--dir DIR]  shut down in order (data saved); also: ./run.sh stop
  ./run.sh status [--dir DIR]  processes, restarts, supervisor events, and tsctl status
  ./run.sh kill ID    [--dir DIR]   SIGKILL node ID: the supervisor restarts it
  ./run.sh stop ID    [--dir DIR]   stop node ID on purpose (it saves); stays down
  ./run.sh restart ID [--dir DIR]   stop (if running) and start node ID; waits until it is live
                               (ID: a node id, 'primary' for the current one, 'broker' or 'broker2')
  ./run.sh logs [ID|broker|supervisor ...] [-f] [-n LINES] [--dir DIR]   the logs
  ./run.sh cli [--dir DIR] [TSCTL ARGS...]   tsctl against the running cluster (no args: prompt)
  ./run.sh help                this text

Defaults: --nodes $DEFAULT_NODE_COUNT, --brokers 2, --port $DEFAULT_PORT_BASE, --dir ${DEFAULT_DATA_DIR#"$ROOT"/}.
Ports from BASE: broker clients BASE, nodes BASE+1, shutdown BASE+2 (broker2: BASE+3..BASE+5); node i bus BASE+10+2i,
transfer BASE+11+2i. Two clusters run side by side with different --port and --dir.
Every part starts from DIR/cluster.json (tsnode/tsbroker --cluster DIR/cluster.json --id N), written by each start.
Every node keeps its own history in DIR/node-ID.data (a write-ahead log, fsynced before a write is
acknowledged): a node that is restarted, or killed with the whole machine, recovers from it and
catches up from the primary. An orderly shutdown also exports DIR/node-ID.snapshot;
'up --load FILE' seeds an empty cluster (no node-ID.data yet) from such an export.
A node that dies is restarted after ${RESTART_FIRST_DELAY_MS} ms (doubling up to ${RESTART_MAX_DELAY_MS} ms), at most
${RESTART_MAX_ATTEMPTS} times in a row. More: docs/OPERATIONS.md.
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
    scaling) cmd_scaling "$@" ;;
    fuzz) cmd_fuzz "$@" ;;
    chaos) cmd_chaos "$@" ;;
    "") launcher start ;;
    start | up | down | status | kill | stop | restart | logs | cli) launcher "$command" "$@" ;;
    -h|--help|help) usage ;;
    *) log "unknown command: $command"; usage; exit 2 ;;
  esac
}

main "$@"
