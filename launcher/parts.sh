# shellcheck shell=bash
# The parts of a local cluster (the broker and nodes 1..N), where they listen,
# where their files are, and starting and stopping one of them. Sourced by
# run.sh, which sets the constants used here (see the top of run.sh).
#
# A cluster lives in one directory DIR (default ./data):
#   DIR/node-<id>.snapshot      node <id>'s save file (--save); loaded at the next start
#   DIR/logs/<part>.log         broker.log, node-<id>.log, supervisor.log
#   DIR/run/cluster.env         port base, node count, binaries: what every command reads
#   DIR/run/<part>.pid          the running process (written by its wrapper)
#   DIR/run/<part>.exit         how its last run ended (exit status, 128+signal)
#   DIR/run/<part>.stopped      stopped on purpose: the supervisor leaves it down
#   DIR/run/<part>.failed       the supervisor gave up restarting it
#   DIR/run/<part>.restarts     restarts by the supervisor since `up`
#   DIR/run/<part>.note         the supervisor's last word on it (shown by status)
#   DIR/run/supervisor.pid      the supervisor (background, or the foreground run.sh)
# DIR/run exists only while a cluster runs; logs and snapshots stay.
#
# Ports, from the base B (default 5555): broker clients B, nodes B+1, shutdown
# B+2; node i bus B+10+2i, transfer B+11+2i (node 1: B+12, B+13).

# ---- the layout --------------------------------------------------------------

use_cluster_dir() {  # DIR: sets CLUSTER_DIR, RUN_DIR, LOG_DIR (absolute)
  mkdir -p "$1" 2>/dev/null || die "cannot create the cluster directory $1"
  CLUSTER_DIR="$(cd "$1" && pwd)"
  RUN_DIR="$CLUSTER_DIR/run"
  LOG_DIR="$CLUSTER_DIR/logs"
}

cluster_exists() { [ -f "$RUN_DIR/cluster.env" ]; }

load_cluster_state() {  # sets PORT_BASE NODE_COUNT BIN_DIR MODE STARTED_AT
  cluster_exists || die "no cluster is running from $CLUSTER_DIR (start one: ./run.sh up --dir $CLUSTER_DIR)" 1
  # shellcheck disable=SC1091
  . "$RUN_DIR/cluster.env"
}

write_cluster_state() {  # MODE
  cat >"$RUN_DIR/cluster.env" <<STATE
PORT_BASE=$PORT_BASE
NODE_COUNT=$NODE_COUNT
BIN_DIR=$BIN_DIR
MODE=$1
STARTED_AT='$(date '+%F %T')'
STATE
}

endpoint() { printf 'tcp://127.0.0.1:%s' "$1"; }
clients_port() { echo $((PORT_BASE)); }
nodes_port() { echo $((PORT_BASE + 1)); }
shutdown_port() { echo $((PORT_BASE + 2)); }
bus_port() { echo $((PORT_BASE + 10 + 2 * $1)); }
transfer_port() { echo $((PORT_BASE + 11 + 2 * $1)); }
highest_port() { transfer_port "$1"; }  # NODE_COUNT -> the last port a cluster uses

all_ports() {  # "port what" lines, every port the cluster listens on
  echo "$(clients_port) broker-clients"
  echo "$(nodes_port) broker-nodes"
  echo "$(shutdown_port) broker-shutdown"
  local id
  for ((id = 1; id <= NODE_COUNT; id++)); do
    echo "$(bus_port "$id") node-$id-bus"
    echo "$(transfer_port "$id") node-$id-transfer"
  done
}

part_names() {
  echo broker
  local id
  for ((id = 1; id <= NODE_COUNT; id++)); do echo "node-$id"; done
}

part_label() { [ "$1" = broker ] && echo broker || echo "node ${1#node-}"; }
part_log() { echo "$LOG_DIR/$1.log"; }
save_file() { echo "$CLUSTER_DIR/node-$1.snapshot"; }

# "broker", "2", "node-2" or "node 2" -> the part name; empty when there is none.
part_from_word() {
  local word="${1#node}"
  word="${word#-}"
  word="${word# }"
  if [ "$1" = broker ]; then echo broker
  elif [[ "$word" =~ ^[0-9]+$ ]] && ((word >= 1 && word <= NODE_COUNT)); then echo "node-$((10#$word))"
  fi
}

# ---- processes ---------------------------------------------------------------

part_binary_name() { [ "$1" = broker ] && echo tsbroker || echo tsnode; }
part_binary() { [ "$1" = broker ] && echo "$BIN_DIR/brokers/tsbroker" || echo "$BIN_DIR/nodes/tsnode"; }

# True when pid runs program `name` and is not a zombie: a pid file may name a
# process that ended (and whose pid the system gave to someone else).
process_alive() {  # PID NAME
  local pid="$1" name="$2" stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$stat" == "$pid ($name) "* ]] || return 1
  [[ "$stat" != "$pid ($name) Z"* ]]
}

part_pid() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
part_running() { process_alive "$(part_pid "$1")" "$(part_binary_name "$1")"; }

# A save file's log position from its header, as "TERM SEQ": "0 0" for a v1
# file (it has none) and for anything that is no save file (tsnode says what
# is wrong with it when it loads it).
snapshot_position() {  # FILE
  local header
  header="$(head -n 1 "$1" 2>/dev/null || true)"
  if [[ "$header" =~ ^tuplestar-snapshot\ v2\ pairs=[0-9]+\ term=([0-9]{1,18})\ seq=([0-9]{1,18})$ ]]; then
    echo "$((10#${BASH_REMATCH[1]})) $((10#${BASH_REMATCH[2]}))"
  else
    echo "0 0"
  fi
}

# The freshest save file: every node starts from it, so that all start from
# one state at one position (docs/OPERATIONS.md "Data at start" says why not
# each node from its own file). Freshest: the highest log position in the
# header (term, then seq); among equal positions (v1 files: 0:0), the newest.
freshest_save_file() {
  local best="" best_term=-1 best_seq=-1 file term seq
  for file in "$CLUSTER_DIR"/node-*.snapshot; do
    [ -f "$file" ] || continue
    read -r term seq < <(snapshot_position "$file")
    if ((term > best_term || (term == best_term && seq > best_seq))) ||
      { ((term == best_term && seq == best_seq)) && [ "$file" -nt "$best" ]; }; then
      best="$file" best_term="$term" best_seq="$seq"
    fi
  done
  echo "$best"
}

snapshot_pairs() {  # FILE -> "N pairs" from its header ("1 pair", "? pairs")
  local header
  header="$(head -n 1 "$1" 2>/dev/null || true)"
  if [[ "$header" =~ pairs=([0-9]+) ]]; then
    [ "${BASH_REMATCH[1]}" = 1 ] && echo "1 pair" || echo "${BASH_REMATCH[1]} pairs"
  else
    echo "? pairs"
  fi
}

part_command() {  # PART: fills the array PART_COMMAND
  if [ "$1" = broker ]; then
    PART_COMMAND=("$(part_binary broker)"
      --clients "$(endpoint "$(clients_port)")"
      --nodes "$(endpoint "$(nodes_port)")"
      --shutdown "$(endpoint "$(shutdown_port)")"
      --primary-liveness-ms $((NODE_HEARTBEAT_MS * NODE_LIVENESS_HEARTBEATS)))
    return
  fi
  local id="${1#node-}" peer load
  PART_COMMAND=("$(part_binary "$1")"
    --id "$id"
    --bus "$(endpoint "$(bus_port "$id")")"
    --transfer "$(endpoint "$(transfer_port "$id")")"
    --broker "$(endpoint "$(nodes_port)")"
    --heartbeat-ms "$NODE_HEARTBEAT_MS"
    --liveness "$NODE_LIVENESS_HEARTBEATS"
    --save "$(save_file "$id")")
  for ((peer = 1; peer <= NODE_COUNT; peer++)); do
    [ "$peer" -eq "$id" ] && continue
    PART_COMMAND+=(--peer "$peer,$(endpoint "$(bus_port "$peer")"),$(endpoint "$(transfer_port "$peer")")")
  done
  load="$(freshest_save_file)"
  [ -n "$load" ] && PART_COMMAND+=(--load "$load")
  return 0
}

# Starts PART in its own session (so a Ctrl-C in the terminal reaches run.sh
# only, which then shuts down in order) under a small bash wrapper that writes
# the pid and, when the process ends, its exit status. Waits for the pid file.
start_part() {  # PART
  local part="$1" pid_file="$RUN_DIR/$1.pid" exit_file="$RUN_DIR/$1.exit" log
  log="$(part_log "$part")"
  part_command "$part"
  rm -f "$pid_file" "$exit_file"
  printf '\n----- %s run.sh: starting %s: %s\n' "$(date '+%F %T')" "$(part_label "$part")" "${PART_COMMAND[*]}" >>"$log"
  # shellcheck disable=SC2016
  setsid bash -c '"${@:3}" & child=$!
    echo "$child" >"$1.new" && mv "$1.new" "$1"
    wait "$child"; echo $? >"$2"' supervised-part "$pid_file" "$exit_file" "${PART_COMMAND[@]}" \
    >>"$log" 2>&1 </dev/null 9>&- &
  # Wait for the pid, then for the exec: until then the pid names a copy of
  # the wrapper (comm "bash"), which part_running rightly does not count.
  local waited=0 pid
  until [ -s "$pid_file" ] && pid="$(cat "$pid_file")" && { part_running "$part" || ! kill -0 "$pid" 2>/dev/null; }; do
    ((waited < PID_FILE_TIMEOUT_MS)) || { warn "$(part_label "$part") did not start within $PID_FILE_TIMEOUT_MS ms"; return 1; }
    sleep 0.02
    waited=$((waited + 20))
  done
}

# How PART's last run ended, in words ("exited with status 2", "killed by SIGKILL").
exit_reason() {
  local status waited=0
  until status="$(cat "$RUN_DIR/$1.exit" 2>/dev/null)" && [ -n "$status" ]; do
    # The wrapper writes the status right after reaping; give it a moment.
    ((waited < EXIT_STATUS_WAIT_MS)) || { echo "its process is gone"; return; }
    sleep 0.05
    waited=$((waited + 50))
  done
  if ((status > 128)); then echo "killed by SIG$(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"
  else echo "exited with status $status"; fi
}

wait_part_exit() {  # PART SECONDS: true when it ended in time
  local deadline=$((SECONDS + $2))
  while part_running "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# SIGTERM (a node saves its file on it), then SIGKILL after a bounded wait.
stop_part() {  # PART
  local part="$1" label pid
  label="$(part_label "$part")"
  pid="$(part_pid "$part")"
  part_running "$part" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_part_exit "$part" "$STOP_TIMEOUT_S" && return 0
  warn "$label (pid $pid) still running ${STOP_TIMEOUT_S} s after SIGTERM; killing it (SIGKILL): its data was NOT saved"
  kill -KILL "$pid" 2>/dev/null || true
  wait_part_exit "$part" "$STOP_TIMEOUT_S" || warn "$label (pid $pid) survived SIGKILL?"
}

# ---- the lock: one change to the run state at a time -------------------------

lock_cluster() {
  exec 9>>"$RUN_DIR/lock"
  flock -w "$LOCK_TIMEOUT_S" 9 || die "another run.sh holds $RUN_DIR/lock for more than $LOCK_TIMEOUT_S s"
}
unlock_cluster() { flock -u 9 2>/dev/null || true; }

# ---- talking to the cluster --------------------------------------------------

tsctl_here() {  # ARGS...: tsctl against this cluster
  "$BIN_DIR/clients/tsctl" --broker "$(endpoint "$(clients_port)")" \
    --shutdown-endpoint "$(endpoint "$(shutdown_port)")" "$@"
}

probe_status_json() {  # one quick STATUS, JSON on stdout; fails when no answer
  tsctl_here --json --timeout-ms "$PROBE_TIMEOUT_MS" --retries 0 status 2>/dev/null
}

# From a STATUS JSON line: the primary's id (0: none), and whether node ID is live.
status_primary() { [[ "$1" =~ \"served_by\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0; }
status_node_live() { [[ "$1" =~ \[\"node,$2\",\"[^\"]*live=yes ]]; }
