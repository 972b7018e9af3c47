# shellcheck shell=bash
# Commands on a running cluster: status, kill, stop, restart, logs, cli.
# Each finds the cluster through --dir DIR (default ./data), DIR/run/cluster.env.

# ---- status ------------------------------------------------------------------------

part_state() {  # PART -> running | stopped | failed | down
  if part_running "$1"; then echo running
  elif [ -e "$RUN_DIR/$1.stopped" ]; then echo stopped
  elif [ -e "$RUN_DIR/$1.failed" ]; then echo failed
  else echo down
  fi
}

part_listens() {  # PART
  if [ "$1" = broker ]; then
    echo "clients $(endpoint "$(clients_port)"), nodes :$(nodes_port), shutdown :$(shutdown_port)"
  else
    local id="${1#node-}"
    echo "bus $(endpoint "$(bus_port "$id")"), transfer :$(transfer_port "$id")"
  fi
}

# Exit status: 0 the broker answered STATUS; 3 it did not; 1 no cluster here.
cmd_status() {
  open_running_cluster "$@"
  [ ${#LEFT_ARGS[@]} -eq 0 ] || die "status: unknown argument '${LEFT_ARGS[0]}'" 2
  local part state pid note supervisor="not running: a part that dies stays down"
  supervisor_running && supervisor="pid $(supervisor_pid)"
  echo "cluster in $CLUSTER_DIR: port base $PORT_BASE, $NODE_COUNT nodes, started $STARTED_AT ($MODE)"
  echo "supervisor: $supervisor"
  printf '%-8s %-8s %-8s %-9s %s\n' PART PID STATE RESTARTS "LISTENS ON"
  for part in $(part_names); do
    state="$(part_state "$part")"
    pid="-"
    [ "$state" = running ] && pid="$(part_pid "$part")"
    printf '%-8s %-8s %-8s %-9s %s\n' "$(part_label "$part")" "$pid" "$state" \
      "$(cat "$RUN_DIR/$part.restarts" 2>/dev/null || echo 0)" "$(part_listens "$part")"
    note="$(cat "$RUN_DIR/$part.note" 2>/dev/null || true)"
    [ "$state" = stopped ] && note="stopped on purpose; ./run.sh restart ${part#node-} starts it again"
    [ -n "$note" ] && echo "         ^ $note"
  done
  if [ -s "$LOG_DIR/supervisor.log" ]; then
    echo "recent supervisor events ($LOG_DIR/supervisor.log):"
    tail -n "$STATUS_EVENT_LINES" "$LOG_DIR/supervisor.log" | sed 's/^/  /'
  fi
  echo
  echo "the cluster as the broker sees it (tsctl status):"
  tsctl_here --timeout-ms "$PROBE_TIMEOUT_MS" --retries 0 status
}

# ---- one part ----------------------------------------------------------------------

one_part_argument() {  # COMMAND: the part named in LEFT_ARGS ("primary": the broker's current one)
  [ ${#LEFT_ARGS[@]} -eq 1 ] || die "usage: ./run.sh $1 ID [--dir DIR]  (ID: 1..$NODE_COUNT, primary, or broker)" 2
  local word="${LEFT_ARGS[0]}" json primary
  if [ "$word" = primary ]; then
    json="$(probe_status_json)" || die "$1 primary: the broker does not answer, so the primary is unknown" 1
    primary="$(status_primary "$json")"
    [ "$primary" != 0 ] || die "$1 primary: there is no primary right now (./run.sh status)" 1
    word="$primary"
    log "the primary is node $primary"
  fi
  TARGET_PART="$(part_from_word "$word")"
  [ -n "$TARGET_PART" ] || die "$1: no part '$word' in this cluster (nodes 1..$NODE_COUNT, primary, or broker)" 2
}

cmd_kill() {
  open_running_cluster "$@"
  one_part_argument kill
  local label pid
  label="$(part_label "$TARGET_PART")"
  part_running "$TARGET_PART" || die "$label is not running (./run.sh status)" 1
  pid="$(part_pid "$TARGET_PART")"
  kill -KILL "$pid"
  wait_part_exit "$TARGET_PART" "$STOP_TIMEOUT_S" || die "$label (pid $pid) survived SIGKILL for $STOP_TIMEOUT_S s" 1
  log "$label (pid $pid) killed with SIGKILL$([ "$TARGET_PART" = broker ] || echo "; it saved nothing")"
  if supervisor_running; then
    log "the supervisor restarts it in about $RESTART_FIRST_DELAY_MS ms; watch: ./run.sh status$(dir_option)"
  else
    warn "no supervisor is running: it stays down until ./run.sh restart ${TARGET_PART#node-}$(dir_option)"
  fi
}

cmd_stop() {
  local dir_args=() words=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir_args+=("$1" "${2:-}"); shift 2 || die "--dir needs a value" 2 ;;
      --dir=*) dir_args+=("$1"); shift ;;
      *) words+=("$1"); shift ;;
    esac
  done
  if [ ${#words[@]} -eq 0 ]; then  # `run.sh stop` without an ID stops the whole cluster
    cmd_down "${dir_args[@]}"
    return
  fi
  open_running_cluster "${dir_args[@]}" "${words[@]}"
  one_part_argument stop
  local label
  label="$(part_label "$TARGET_PART")"
  lock_cluster
  touch "$RUN_DIR/$TARGET_PART.stopped"
  unlock_cluster
  if ! part_running "$TARGET_PART"; then
    log "$label was not running; it stays down (./run.sh restart ${TARGET_PART#node-}$(dir_option) starts it)"
    return 0
  fi
  stop_part "$TARGET_PART"
  echo "stopped $(date '+%T') on purpose" >"$RUN_DIR/$TARGET_PART.note"
  [ "$TARGET_PART" = broker ] || log "$label saved $(snapshot_pairs "$(save_file "${TARGET_PART#node-}")") to $(save_file "${TARGET_PART#node-}")"
  log "$label stopped; the supervisor leaves it down. ./run.sh restart ${TARGET_PART#node-}$(dir_option) starts it again"
}

cmd_restart() {
  open_running_cluster "$@"
  one_part_argument restart
  local label
  label="$(part_label "$TARGET_PART")"
  lock_cluster
  touch "$RUN_DIR/$TARGET_PART.stopped"
  unlock_cluster
  part_running "$TARGET_PART" && stop_part "$TARGET_PART"
  lock_cluster
  start_part "$TARGET_PART" || { unlock_cluster; die "$label did not start (see $(part_log "$TARGET_PART"))" 1; }
  rm -f "$RUN_DIR/$TARGET_PART.stopped" "$RUN_DIR/$TARGET_PART.failed"
  echo "restarted $(date '+%T') by hand, pid $(part_pid "$TARGET_PART")" >"$RUN_DIR/$TARGET_PART.note"
  unlock_cluster
  log "$label started, pid $(part_pid "$TARGET_PART")"
  [ "$TARGET_PART" = broker ] && return 0
  local deadline=$((SECONDS + START_TIMEOUT_S)) json
  while ((SECONDS < deadline)); do
    part_running "$TARGET_PART" || die "$label exited ($(exit_reason "$TARGET_PART")); see $(part_log "$TARGET_PART")" 1
    if json="$(probe_status_json)" && status_node_live "$json" "${TARGET_PART#node-}"; then
      log "$label is live again (the broker sees it); it rejoins as a backup"
      return 0
    fi
    sleep 0.2
  done
  die "$label runs but the broker has not seen it live within $START_TIMEOUT_S s (./run.sh logs ${TARGET_PART#node-})" 1
}

dir_option() {  # " --dir DIR" unless DIR is the default
  [ "$CLUSTER_DIR" = "$(cd "$DEFAULT_DATA_DIR" 2>/dev/null && pwd)" ] || echo " --dir $CLUSTER_DIR"
}

# ---- logs and cli ------------------------------------------------------------------

cmd_logs() {
  local dir="$DEFAULT_DATA_DIR" follow=0 lines="$LOG_TAIL_LINES" which=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="${2:-}"; shift 2 || die "--dir needs a value" 2 ;;
      --dir=*) dir="${1#*=}"; shift ;;
      -f | --follow) follow=1; shift ;;
      -n | --lines) lines="${2:-}"; shift 2 || die "$1 needs a number" 2 ;;
      *) which+=("$1"); shift ;;
    esac
  done
  [[ "$lines" =~ ^[0-9]+$ ]] || die "--lines needs a number, not '$lines'" 2
  use_cluster_dir "$dir"
  [ -d "$LOG_DIR" ] || die "no logs in $CLUSTER_DIR (no cluster was started there)" 1
  local files=() word part
  if [ ${#which[@]} -eq 0 ]; then
    for part in supervisor broker; do [ -f "$LOG_DIR/$part.log" ] && files+=("$LOG_DIR/$part.log"); done
    for part in "$LOG_DIR"/node-*.log; do [ -f "$part" ] && files+=("$part"); done
  fi
  for word in "${which[@]}"; do
    case "$word" in
      supervisor | broker) part="$word" ;;
      *) part="node-${word#node-}" ;;
    esac
    [ -f "$LOG_DIR/$part.log" ] || die "no log for '$word' in $LOG_DIR (there: $(cd "$LOG_DIR" && ls))" 2
    files+=("$LOG_DIR/$part.log")
  done
  [ ${#files[@]} -gt 0 ] || die "no logs in $LOG_DIR yet" 1
  if ((follow)); then
    exec tail -n "$lines" -F "${files[@]}"  # until Ctrl-C: following is what was asked
  fi
  tail -n "$lines" "${files[@]}"
}

cmd_cli() {
  local dir="$DEFAULT_DATA_DIR"
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="${2:-}"; shift 2 || die "--dir needs a value" 2 ;;
      --dir=*) dir="${1#*=}"; shift ;;
      *) break ;;
    esac
  done
  [ -d "$dir" ] || die "no cluster is running from $dir (no such directory; start one: ./run.sh up --dir $dir)" 1
  use_cluster_dir "$dir"
  load_cluster_state
  tsctl_here "$@"
}
