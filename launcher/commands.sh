# shellcheck shell=bash
# The launcher's commands: start (foreground), up, down, status, kill, stop,
# restart, logs, cli. Sourced by run.sh after parts.sh and supervisor.sh.
# Every wait is bounded by a constant at the top of run.sh.

# ---- options -------------------------------------------------------------------

# Parses [--nodes N] [--port BASE] [--dir DIR]; what is left goes to LEFT_ARGS.
parse_cluster_options() {
  NODE_COUNT="$DEFAULT_NODE_COUNT"
  PORT_BASE="$DEFAULT_PORT_BASE"
  local dir="$DEFAULT_DATA_DIR"
  LEFT_ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes | --port | --dir)
        [ $# -ge 2 ] || die "$1 needs a value (./run.sh help)" 2
        case "$1" in --nodes) NODE_COUNT="$2" ;; --port) PORT_BASE="$2" ;; --dir) dir="$2" ;; esac
        shift 2 ;;
      --nodes=* ) NODE_COUNT="${1#*=}"; shift ;;
      --port=* ) PORT_BASE="${1#*=}"; shift ;;
      --dir=* ) dir="${1#*=}"; shift ;;
      *) LEFT_ARGS+=("$1"); shift ;;
    esac
  done
  [[ "$NODE_COUNT" =~ ^[0-9]+$ ]] && ((NODE_COUNT >= MIN_NODE_COUNT && NODE_COUNT <= MAX_NODE_COUNT)) ||
    die "--nodes must be a number from $MIN_NODE_COUNT to $MAX_NODE_COUNT, not '$NODE_COUNT'" 2
  [[ "$PORT_BASE" =~ ^[0-9]+$ ]] && ((PORT_BASE >= 1024 && $(highest_port "$NODE_COUNT") <= 65535)) ||
    die "--port must be a number from 1024 to $((65535 - 11 - 2 * NODE_COUNT)) (the cluster uses BASE..BASE+$((11 + 2 * NODE_COUNT))), not '$PORT_BASE'" 2
  [ -n "$dir" ] || die "--dir needs a directory" 2
  use_cluster_dir "$dir"
}

# For commands on a running cluster: only --dir; the rest stays in LEFT_ARGS.
open_running_cluster() {
  local dir="$DEFAULT_DATA_DIR"
  LEFT_ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) [ $# -ge 2 ] || die "--dir needs a value" 2; dir="$2"; shift 2 ;;
      --dir=*) dir="${1#*=}"; shift ;;
      *) LEFT_ARGS+=("$1"); shift ;;
    esac
  done
  [ -d "$dir" ] || die "no cluster is running from $dir (no such directory; start one: ./run.sh up --dir $dir)" 1
  use_cluster_dir "$dir"
  load_cluster_state
}

# ---- start -----------------------------------------------------------------------

port_in_use() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

check_can_start() {
  if cluster_exists; then
    local running=0 part
    # shellcheck disable=SC1091
    (. "$RUN_DIR/cluster.env"; for part in $(part_names); do part_running "$part" && exit 0; done; exit 1) && running=1
    if ((running)) || supervisor_running; then
      die "a cluster is already running from $CLUSTER_DIR: see ./run.sh status --dir $CLUSTER_DIR, stop it with ./run.sh down --dir $CLUSTER_DIR" 1
    fi
    warn "$CLUSTER_DIR held the state of a cluster that is no longer running (not shut down by run.sh); starting afresh"
    rm -rf "$RUN_DIR"
  fi
  local port what
  while read -r port what; do
    port_in_use "$port" && die "port $port ($what) is already in use: is another cluster running? Choose another base with --port (this one uses $PORT_BASE..$(highest_port "$NODE_COUNT"))" 1
  done < <(all_ports)
  return 0
}

announce_loaded_data() {
  local load file
  load="$(freshest_save_file)"
  if [ -z "$load" ]; then
    log "no saved data in $CLUSTER_DIR: the nodes start empty"
    return
  fi
  log "every node loads $load ($(snapshot_pairs "$load") at $(position_text "$load"), saved $(date -r "$load" '+%F %T'))"
  for file in "$CLUSTER_DIR"/node-*.snapshot; do
    [ "$file" = "$load" ] || cmp -s "$file" "$load" ||
      warn "$(basename "$file") (at $(position_text "$file")) differs from $(basename "$load") and is behind it (its node was down at the last shutdown?); it will be overwritten at the next shutdown"
  done
}

position_text() {  # FILE -> "term:seq" from its header
  local term seq
  read -r term seq < <(snapshot_position "$1")
  echo "$term:$seq"
}

# Waits until a primary serves and every node is live; on failure says why.
wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_S)) part json id all_live
  while ((SECONDS < deadline)); do
    for part in $(part_names); do
      if ! part_running "$part"; then
        warn "$(part_label "$part") exited during start ($(exit_reason "$part")); the end of $(part_log "$part"):"
        tail -n "$LOG_TAIL_LINES" "$(part_log "$part")" >&2
        return 1
      fi
    done
    if json="$(probe_status_json)" && [ "$(status_primary "$json")" != 0 ]; then
      all_live=1
      for ((id = 1; id <= NODE_COUNT; id++)); do status_node_live "$json" "$id" || all_live=0; done
      ((all_live)) && return 0
    fi
    sleep 0.2
  done
  warn "the cluster did not become ready within $START_TIMEOUT_S s (a primary serving, every node live)"
  warn "last status seen: ${json:-no answer from the broker}; logs are in $LOG_DIR"
  return 1
}

print_banner() {
  local id primary json
  json="$(probe_status_json || true)"
  primary="$(status_primary "$json")"
  cat <<BANNER

tuplestar is running: broker + $NODE_COUNT nodes, data in $CLUSTER_DIR
  broker   clients  $(endpoint "$(clients_port)")   (tsctl --broker)
           nodes    $(endpoint "$(nodes_port)")
           shutdown $(endpoint "$(shutdown_port)")   (tsctl shutdown)
BANNER
  for ((id = 1; id <= NODE_COUNT; id++)); do
    printf '  node %-3s bus %s  transfer %s  save %s%s\n' "$id" "$(endpoint "$(bus_port "$id")")" \
      "$(endpoint "$(transfer_port "$id")")" "$(save_file "$id")" "$([ "$id" = "$primary" ] && echo '  (primary)')"
  done
  local cli="./run.sh cli" where
  where="$(dir_option)"
  cat <<BANNER
  logs     $LOG_DIR/

Try it (tsctl is $BIN_DIR/clients/tsctl):
  $cli$where put user,1 ann user,2 bob
  $cli$where get 'user,\d+' '.*'
  $cli$where status
More: ./run.sh help
BANNER
}

start_cluster() {  # MODE (foreground|background)
  check_can_start
  BIN_DIR="$BUILD_DIR"
  local binary
  for binary in brokers/tsbroker nodes/tsnode clients/tsctl; do
    [ -x "$BIN_DIR/$binary" ] || die "$BIN_DIR/$binary is missing: build it with ./run.sh build" 1
  done
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  write_cluster_state "$1"
  # In the foreground this run.sh is the supervisor from the start, so that a
  # `down` elsewhere signals it (and it shuts down in order) even mid-start.
  [ "$1" = foreground ] && echo $$ >"$RUN_DIR/supervisor.pid"
  log "starting broker + $NODE_COUNT nodes on ports $PORT_BASE..$(highest_port "$NODE_COUNT"), directory $CLUSTER_DIR"
  announce_loaded_data
  lock_cluster
  local part
  for part in $(part_names); do start_part "$part" || { unlock_cluster; abort_start; }; done
  unlock_cluster
  wait_until_ready || abort_start
}

abort_start() {
  warn "start failed; stopping what was started"
  orderly_down
  exit 1
}

cmd_up() {
  parse_cluster_options "$@"
  [ ${#LEFT_ARGS[@]} -eq 0 ] || die "up: unknown argument '${LEFT_ARGS[0]}' (./run.sh help)" 2
  ensure_binaries
  start_cluster background
  start_background_supervisor
  print_banner
  echo "Running in the background; stop it with: ./run.sh down$(dir_option)"
}

cmd_foreground() {
  parse_cluster_options "$@"
  [ ${#LEFT_ARGS[@]} -eq 0 ] || die "start: unknown argument '${LEFT_ARGS[0]}' (./run.sh help)" 2
  ensure_binaries
  SUPERVISOR_FOREGROUND=1
  # shellcheck disable=SC2064
  trap "trap '' INT TERM; if cluster_exists; then orderly_down; fi; exit 130" INT TERM
  start_cluster foreground
  print_banner
  echo "Supervising in the foreground (a node that dies is restarted). Ctrl-C stops everything, data saved."
  supervise_forever "orderly_down"
}

# ---- down ------------------------------------------------------------------------

any_part_running() {
  local part
  for part in $(part_names); do part_running "$part" && return 0; done
  return 1
}

# The shutdown command through the broker (the primary stops the backups and
# everyone saves), then bounded waits, SIGTERM, SIGKILL, each said out loud.
orderly_down() {
  local part started_at label pid
  lock_cluster
  for part in $(part_names); do touch "$RUN_DIR/$part.stopped"; done
  unlock_cluster
  started_at="$RUN_DIR/shutdown-started"  # a save file newer than this was written by this shutdown
  touch "$started_at"
  if [ "$(supervisor_pid)" != "$$" ] && supervisor_running; then
    pid="$(supervisor_pid)"
    kill -TERM "$pid" 2>/dev/null || true
    # A foreground supervisor shuts the cluster down itself before it exits.
    local deadline=$((SECONDS + SHUTDOWN_TIMEOUT_S + 2 * STOP_TIMEOUT_S + 5))
    while supervisor_running && ((SECONDS < deadline)); do sleep 0.1; done
    supervisor_running && { warn "the supervisor (pid $pid) did not exit; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
    if ! cluster_exists; then  # it was the foreground run.sh, and it has shut the cluster down
      log "stopped (by the foreground run.sh, pid $pid); data kept in $CLUSTER_DIR"
      return 0
    fi
  fi
  if any_part_running; then
    if part_running broker; then
      log "shutting down: the shutdown command goes through the broker to the primary, which stops the backups; every node saves"
      tsctl_here --timeout-ms "$SHUTDOWN_COMMAND_TIMEOUT_MS" --retries 0 shutdown >&2 ||
        warn "the broker did not acknowledge the shutdown command; the nodes get SIGTERM instead"
    else
      warn "the broker is not running; the nodes get SIGTERM (each saves its file)"
    fi
    local deadline=$((SECONDS + SHUTDOWN_TIMEOUT_S))
    while any_part_running && ((SECONDS < deadline)); do sleep 0.1; done
    for part in $(part_names); do
      part_running "$part" || continue
      label="$(part_label "$part")"
      ((SECONDS >= deadline)) && warn "$label still running $SHUTDOWN_TIMEOUT_S s after the shutdown command; sending SIGTERM (a node saves on it)"
      stop_part "$part"
    done
  fi
  report_saved_files "$started_at"
  supervisor_log "cluster stopped"
  rm -rf "$RUN_DIR"
  log "stopped; data kept in $CLUSTER_DIR (./run.sh up$(dir_option) loads it again)"
}

report_saved_files() {  # MARKER: a file touched when the shutdown began
  local id file
  for ((id = 1; id <= NODE_COUNT; id++)); do
    file="$(save_file "$id")"
    if [ -f "$file" ] && [ "$file" -nt "$1" ]; then
      log "node $id saved $(snapshot_pairs "$file") to $file"
    elif [ -f "$file" ]; then
      warn "node $id did not save now (it was not running?); $file is from $(date -r "$file" '+%F %T')"
    else
      warn "node $id saved nothing (it was not running?)"
    fi
  done
}

cmd_down() {
  local dir="$DEFAULT_DATA_DIR"
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="${2:-}"; shift 2 || die "--dir needs a value" 2 ;;
      --dir=*) dir="${1#*=}"; shift ;;
      *) die "down: unknown argument '$1' (./run.sh help)" 2 ;;
    esac
  done
  [ -d "$dir" ] || { log "no cluster is running from $dir (no such directory); nothing to stop"; return 0; }
  use_cluster_dir "$dir"
  if ! cluster_exists; then
    log "no cluster is running from $CLUSTER_DIR; nothing to stop"
    return 0
  fi
  load_cluster_state
  orderly_down
}
