#!/usr/bin/env bash
# tuplestar: set-up, build, tests, benchmarks, and the topology launcher.
#   ./run.sh setup   install missing Debian packages (as root) and configure
#   ./run.sh build   set-up when needed, then build
#   ./run.sh test    build, then run every test through ctest
#   ./run.sh bench   build, then run the benchmarks
#   ./run.sh         build when needed, then run broker + 3 nodes in the foreground
#   ./run.sh help    every launcher command (up, down, status, kill, stop, restart, logs, cli)
# The launcher's functions live in launcher/*.sh; its limits and timeouts are here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD_DIR="${TS_BUILD_DIR:-$ROOT/build}"
JOBS="${TS_JOBS:-$(nproc)}"

# ---- launcher: every limit and timeout, named, in one place -------------------
# Each can be overridden from the environment (TS_<NAME>), e.g. for tests.
DEFAULT_NODE_COUNT="${TS_NODES:-3}"
DEFAULT_PORT_BASE="${TS_PORT_BASE:-5555}"   # broker clients; see launcher/parts.sh for the layout
DEFAULT_DATA_DIR="${TS_DATA_DIR:-$ROOT/data}"
MIN_NODE_COUNT=2                            # a backup is the point
MAX_NODE_COUNT=20
NODE_HEARTBEAT_MS="${TS_NODE_HEARTBEAT_MS:-100}"       # tsnode --heartbeat-ms
NODE_LIVENESS_HEARTBEATS="${TS_NODE_LIVENESS:-3}"      # tsnode --liveness; broker liveness = both multiplied
START_TIMEOUT_S="${TS_START_TIMEOUT_S:-30}"            # up: until a primary serves and every node is live
SHUTDOWN_TIMEOUT_S="${TS_SHUTDOWN_TIMEOUT_S:-10}"      # down: after the shutdown command, until all exited
SHUTDOWN_COMMAND_TIMEOUT_MS="${TS_SHUTDOWN_COMMAND_TIMEOUT_MS:-3000}"  # the broker's acknowledgement
STOP_TIMEOUT_S="${TS_STOP_TIMEOUT_S:-10}"              # after SIGTERM, before SIGKILL
RESTART_FIRST_DELAY_MS="${TS_RESTART_FIRST_DELAY_MS:-500}"   # supervisor: first restart after a death
RESTART_MAX_DELAY_MS="${TS_RESTART_MAX_DELAY_MS:-8000}"      # the delay doubles up to this
RESTART_MAX_ATTEMPTS="${TS_RESTART_MAX_ATTEMPTS:-5}"         # restarts in a row before giving up
RESTART_STABLE_S="${TS_RESTART_STABLE_S:-30}"                # up this long: the count starts again
SUPERVISE_INTERVAL_S="${TS_SUPERVISE_INTERVAL_S:-0.2}"       # how often the supervisor looks
PROBE_TIMEOUT_MS="${TS_PROBE_TIMEOUT_MS:-1000}"              # the launcher's own tsctl status calls
PID_FILE_TIMEOUT_MS=5000                    # a started process must show its pid by then
EXIT_STATUS_WAIT_MS=500                     # for a dead process's wrapper to write its status
LOCK_TIMEOUT_S=30                           # for another run.sh to finish changing the run state
LOG_TAIL_LINES=40                           # logs, and a failed start's log excerpt
STATUS_EVENT_LINES=6                        # supervisor events shown by status
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
  libhiredis-dev libcpp-httplib-dev   # bench/peers' drivers
  redis-server redis-tools etcd-server etcd-client   # the real peers tests/peers runs against
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

cmd_test() {
  cmd_build
  log "running tests"
  (cd "$BUILD_DIR" && ctest --output-on-failure -j "$JOBS" --timeout 900)
}

# The three binaries the launcher runs, built when missing or out of date
# (TS_SKIP_BUILD=1: use what is in $BUILD_DIR as is, e.g. from tests).
ensure_binaries() {
  [ "${TS_SKIP_BUILD:-0}" = 1 ] && return 0
  cmd_setup
  log "building tsbroker, tsnode and tsctl when needed (in ${BUILD_DIR#"$ROOT"/})"
  cmake --build "$BUILD_DIR" -j "$JOBS" --target tsbroker tsnode tsctl >&2
}

cmd_bench() {
  cmd_build
  # Micro-benchmarks, then tuplestar / ceiling / Redis alternated, then the
  # failover, resync and memory figures: bench/run_bench.sh --help.
  TS_BUILD_DIR="$BUILD_DIR" TS_JOBS="$JOBS" "$ROOT/bench/run_bench.sh" "$@"
}

usage() {
  cat <<USAGE
tuplestar — a fault-tolerant tuple space on a ZeroMQ cluster

Build and test:
  ./run.sh setup    install missing Debian packages (root) and configure the build
  ./run.sh build    build everything into ${BUILD_DIR#"$ROOT"/}
  ./run.sh test     build and run every test (what CI runs)
  ./run.sh bench    build and run the benchmarks

Run a local cluster (broker + N nodes; data, logs and state in DIR):
  ./run.sh                     build when needed, then broker + 3 nodes in the foreground,
                               data in ./data; Ctrl-C shuts down in order, data saved
  ./run.sh start [--nodes N] [--port BASE] [--dir DIR]   the same, with options
  ./run.sh up    [--nodes N] [--port BASE] [--dir DIR]   the same, in the background
  ./run.sh down   [--dir DIR]  shut down in order (data saved); also: ./run.sh stop
  ./run.sh status [--dir DIR]  processes, restarts, supervisor events, and tsctl status
  ./run.sh kill ID    [--dir DIR]   SIGKILL node ID: the supervisor restarts it
  ./run.sh stop ID    [--dir DIR]   stop node ID on purpose (it saves); stays down
  ./run.sh restart ID [--dir DIR]   stop (if running) and start node ID; waits until it is live
                               (ID: a node id, 'primary' for the current one, or 'broker')
  ./run.sh logs [ID|broker|supervisor ...] [-f] [-n LINES] [--dir DIR]   the logs
  ./run.sh cli [--dir DIR] [TSCTL ARGS...]   tsctl against the running cluster (no args: prompt)
  ./run.sh help                this text

Defaults: --nodes $DEFAULT_NODE_COUNT, --port $DEFAULT_PORT_BASE, --dir ${DEFAULT_DATA_DIR#"$ROOT"/}.
Ports from BASE: broker clients BASE, nodes BASE+1, shutdown BASE+2; node i bus BASE+10+2i,
transfer BASE+11+2i. Two clusters run side by side with different --port and --dir.
Every node saves DIR/node-ID.snapshot on shutdown; the next start loads the freshest one (by the
log position in its header) into every node.
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
    "") cmd_foreground ;;
    start) cmd_foreground "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    kill) cmd_kill "$@" ;;
    stop) cmd_stop "$@" ;;
    restart) cmd_restart "$@" ;;
    logs) cmd_logs "$@" ;;
    cli) cmd_cli "$@" ;;
    __supervise) cmd_background_supervisor "$@" ;;
    -h|--help|help) usage ;;
    *) log "unknown command: $command"; usage; exit 2 ;;
  esac
}

# The launcher (sourced: functions only).
# shellcheck source=launcher/parts.sh
. "$ROOT/launcher/parts.sh"
# shellcheck source=launcher/supervisor.sh
. "$ROOT/launcher/supervisor.sh"
# shellcheck source=launcher/commands.sh
. "$ROOT/launcher/commands.sh"
# shellcheck source=launcher/operate.sh
. "$ROOT/launcher/operate.sh"

# `up` starts this in its own session: supervise DIR until told to stop.
cmd_background_supervisor() {
  use_cluster_dir "$1"
  load_cluster_state
  supervise_forever "supervisor_log 'supervisor stopped (SIGTERM)'"
}

main "$@"
