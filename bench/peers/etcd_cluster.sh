#!/usr/bin/env bash
# bench/peers/etcd_cluster.sh: a 3-member etcd cluster (Debian's etcd-server
# 3.4) on loopback, for the benchmark and the tests (issue 15).
#
#   etcd_cluster.sh start DIR [--members N] [--owner PID]
#       starts N members (default 3) on free loopback ports, their data dirs,
#       logs and pid files in DIR/etcd-cluster/, waits (bounded) until every
#       member reports healthy, and prints the client endpoints, comma-separated
#       (also written to DIR/etcd-cluster/endpoints). With --owner, a watcher
#       stops the cluster once process PID has gone (a crashed caller leaves
#       nothing behind). Exits 1, with the members' last log lines, when the
#       cluster is not healthy in time (nothing is left running then).
#   etcd_cluster.sh stop DIR
#       SIGTERM to each member in turn, SIGKILL to any still running after the
#       stop timeout, then removes
#       the data dirs (the logs stay). Stopping a stopped cluster is fine.
#   etcd_cluster.sh status DIR
#       exit 0 when every member answers healthy.
#   etcd_cluster.sh run DIR [--members N] -- COMMAND...
#       start, run COMMAND with ETCD_ENDPOINTS set, stop on any exit (trap).
#
# Knobs (environment): ETCD_READY_TIMEOUT_S, ETCD_STOP_TIMEOUT_S, ETCD_BIN, ETCDCTL_BIN.
# Exit code 3: etcd or etcdctl is not installed (bench/peers/install.sh).
set -euo pipefail

# ---- every knob, named, in one place -------------------------------------------
READY_TIMEOUT_S="${ETCD_READY_TIMEOUT_S:-30}"      # start: until every member is healthy
STOP_TIMEOUT_S="${ETCD_STOP_TIMEOUT_S:-5}"         # stop: after SIGTERM, before SIGKILL
HEALTH_DIAL_TIMEOUT="1s"                           # etcdctl, per health probe
HEALTH_COMMAND_TIMEOUT="2s"
OWNER_POLL_S=1                                     # how often the --owner watcher looks
LOG_TAIL_LINES=20
DEFAULT_MEMBERS=3
ETCD="${ETCD_BIN:-etcd}"
ETCDCTL="${ETCDCTL_BIN:-etcdctl}"

log() { printf '[etcd_cluster] %s\n' "$*" >&2; }
die() { printf '[etcd_cluster] error: %s\n' "$1" >&2; exit "${2:-1}"; }
usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

need_tools() {
  command -v "$ETCD" >/dev/null || die "$ETCD is not installed (Debian etcd-server; bench/peers/install.sh)" 3
  command -v "$ETCDCTL" >/dev/null || die "$ETCDCTL is not installed (Debian etcd-client; bench/peers/install.sh)" 3
}

# N distinct free loopback ports: all bound at once, so none repeats.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
for s in sockets: s.close()
PY
}

healthy() {  # healthy ENDPOINTS
  ETCDCTL_API=3 "$ETCDCTL" --endpoints="$1" --dial-timeout="$HEALTH_DIAL_TIMEOUT" \
    --command-timeout="$HEALTH_COMMAND_TIMEOUT" endpoint health >/dev/null 2>&1
}

# A member that exited but was not reaped yet (its parent, the shell that
# started it, is gone) still answers kill -0: its /proc state tells.
running() {  # running PID
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Whether PID is still the process that was started with WORD in its command
# line (a pid file outlives its process, and pids are reused).
started_as() {  # started_as PID WORD
  running "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

cluster_dir() { printf '%s/etcd-cluster' "$1"; }

stop_cluster() {  # stop_cluster DIR
  local dir; dir=$(cluster_dir "$1")
  [ -d "$dir" ] || return 0
  # The watcher first, so that it does not stop the cluster a second time.
  if [ -f "$dir/watcher.pid" ]; then
    local watcher; watcher=$(cat "$dir/watcher.pid")
    if started_as "$watcher" etcd_cluster.sh; then kill -TERM "$watcher" 2>/dev/null || true; fi
  fi
  local member_pids=()
  for file in "$dir"/m*.pid; do
    [ -f "$file" ] || continue
    local pid name; pid=$(cat "$file"); name=$(basename "$file" .pid)
    started_as "$pid" "--data-dir $dir/$name.etcd" && member_pids+=("$pid")
  done
  # One member at a time: a leader told to stop hands its leadership to a
  # live follower first, which takes seconds when the follower is stopping too.
  local deadline=$(( $(date +%s) + STOP_TIMEOUT_S ))
  for pid in "${member_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    while running "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
  done
  for pid in "${member_pids[@]}"; do
    if running "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -f "$dir"/*.pid "$dir/endpoints"
  rm -rf "$dir"/*.etcd
}

start_cluster() {  # start_cluster DIR MEMBERS OWNER
  local base="$1" members="$2" owner="$3"
  need_tools
  [[ "$members" =~ ^[1-9][0-9]?$ ]] || die "--members must be a number from 1 to 99, not \"$members\"" 2
  mkdir -p "$base" || die "cannot create $base"
  local dir; dir=$(cluster_dir "$base")
  [ -f "$dir/endpoints" ] && die "a cluster is already running in $dir (etcd_cluster.sh stop $base)"
  mkdir -p "$dir"
  local -a ports; read -r -a ports <<<"$(free_ports $((members * 2)))"
  local initial="" endpoints="" token="tsbench-$$-$RANDOM"
  for ((i = 1; i <= members; i++)); do
    initial+="${initial:+,}m$i=http://127.0.0.1:${ports[$((2 * i - 1))]}"
    endpoints+="${endpoints:+,}http://127.0.0.1:${ports[$((2 * i - 2))]}"
  done
  # Any failure from here on leaves nothing running.
  trap 'stop_cluster "$base"' EXIT
  for ((i = 1; i <= members; i++)); do
    local client="http://127.0.0.1:${ports[$((2 * i - 2))]}" peer="http://127.0.0.1:${ports[$((2 * i - 1))]}"
    "$ETCD" --name "m$i" --data-dir "$dir/m$i.etcd" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "$initial" --initial-cluster-token "$token" --initial-cluster-state new \
      --logger zap --log-outputs stderr </dev/null >"$dir/m$i.log" 2>&1 &
    echo $! >"$dir/m$i.pid"
  done
  log "etcd $("$ETCD" --version | sed -n 's/^etcd Version: //p'): $members members, clients at $endpoints; waiting up to ${READY_TIMEOUT_S} s until healthy"
  local deadline=$(( $(date +%s) + READY_TIMEOUT_S ))
  until healthy "$endpoints"; do
    for ((i = 1; i <= members; i++)); do
      running "$(cat "$dir/m$i.pid")" && continue
      log "member m$i exited; its last log lines:"; tail -n "$LOG_TAIL_LINES" "$dir/m$i.log" >&2
      die "etcd member m$i did not start (logs in $dir)"
    done
    if [ "$(date +%s)" -ge "$deadline" ]; then
      for ((i = 1; i <= members; i++)); do
        log "m$i's last log lines:"; tail -n "$LOG_TAIL_LINES" "$dir/m$i.log" >&2
      done
      die "the etcd cluster was not healthy within ${READY_TIMEOUT_S} s (logs in $dir)"
    fi
    sleep 0.2
  done
  if [ -n "$owner" ]; then
    # Detached from our stdout, so that a caller reading it sees its end now.
    (
      trap - EXIT
      while kill -0 "$owner" 2>/dev/null; do sleep "$OWNER_POLL_S"; done
      rm -f "$dir/watcher.pid"
      "${BASH_SOURCE[0]}" stop "$base"
    ) </dev/null >>"$dir/watcher.log" 2>&1 &
    echo $! >"$dir/watcher.pid"
  fi
  echo "$endpoints" >"$dir/endpoints"
  trap - EXIT
  echo "$endpoints"
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  start|run)
    [ $# -ge 1 ] || die "usage: etcd_cluster.sh $command DIR [--members N]$([ "$command" = start ] && echo ' [--owner PID]' || echo ' -- COMMAND...')" 2
    base="$1"; shift
    members=$DEFAULT_MEMBERS owner=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --members) [ $# -ge 2 ] || die "--members needs a number" 2; members="$2"; shift 2 ;;
        --owner) [ "$command" = start ] || die "--owner is for start" 2
          [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || die "--owner needs a process id" 2; owner="$2"; shift 2 ;;
        --) shift; break ;;
        *) die "unknown option $1 (see --help)" 2 ;;
      esac
    done
    if [ "$command" = start ]; then
      start_cluster "$base" "$members" "$owner"
    else
      [ $# -gt 0 ] || die "run needs a COMMAND after --" 2
      ETCD_ENDPOINTS=$(start_cluster "$base" "$members" "")
      export ETCD_ENDPOINTS
      trap 'stop_cluster "$base"' EXIT
      trap 'exit 130' INT TERM
      "$@"
    fi ;;
  stop) [ $# -eq 1 ] || die "usage: etcd_cluster.sh stop DIR" 2; stop_cluster "$1" ;;
  status) [ $# -eq 1 ] || die "usage: etcd_cluster.sh status DIR" 2
    [ -f "$(cluster_dir "$1")/endpoints" ] || die "no cluster in $(cluster_dir "$1")"
    healthy "$(cat "$(cluster_dir "$1")/endpoints")" ;;
  -h|--help|"") usage ;;
  *) die "unknown command \"$command\" (start, stop, status, run; see --help)" 2 ;;
esac
