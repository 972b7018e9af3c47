# shellcheck shell=bash
# The supervisor: restarts a part (node or broker) that died without being
# stopped on purpose, after a growing delay, a bounded number of times, and
# says so in DIR/logs/supervisor.log, in DIR/run/<part>.note and .restarts
# (shown by `run.sh status`), and on the terminal when it runs in the foreground.
#
# Per part, events and what follows:
#   running, up for RESTART_STABLE_S         -> its attempt count goes back to 0
#   found dead, not .stopped, attempts left  -> restart due in RESTART_FIRST_DELAY_MS
#                                               x 2^(attempt-1), at most RESTART_MAX_DELAY_MS
#   restart due                              -> started again (same flags)
#   found dead, RESTART_MAX_ATTEMPTS used    -> .failed: left down until `run.sh restart`
#   .stopped (stop/restart/down)             -> left alone; pending restart dropped
# It ends on SIGTERM/SIGINT (foreground: after shutting the cluster down in
# order) or when DIR/run/cluster.env disappears.

declare -A SUPERVISED_ATTEMPTS=() SUPERVISED_DUE_MS=() SUPERVISED_STARTED_MS=() SUPERVISED_GAVE_UP=()

now_ms() {
  local micros="${EPOCHREALTIME//[.,]/}"
  echo $((10#$micros / 1000))
}

supervisor_log() {
  local line
  line="[$(date '+%F %T')] $*"
  printf '%s\n' "$line" >>"$LOG_DIR/supervisor.log"
  [ "${SUPERVISOR_FOREGROUND:-0}" = 1 ] && printf '[supervisor] %s\n' "$*" >&2
  return 0
}

restart_delay_ms() {  # ATTEMPT (1-based)
  local delay=$RESTART_FIRST_DELAY_MS attempt
  for ((attempt = 1; attempt < $1 && delay < RESTART_MAX_DELAY_MS; attempt++)); do delay=$((delay * 2)); done
  ((delay > RESTART_MAX_DELAY_MS)) && delay=$RESTART_MAX_DELAY_MS
  echo "$delay"
}

supervise_part() {  # PART NOW_MS
  local part="$1" now="$2" label attempts reason restarts
  label="$(part_label "$part")"
  attempts="${SUPERVISED_ATTEMPTS[$part]:-0}"

  if [ -e "$RUN_DIR/$part.stopped" ]; then
    unset "SUPERVISED_DUE_MS[$part]"
    return 0
  fi
  if part_running "$part"; then
    unset "SUPERVISED_DUE_MS[$part]"
    if [ -n "${SUPERVISED_GAVE_UP[$part]:-}" ]; then  # brought back by `run.sh restart`
      unset "SUPERVISED_GAVE_UP[$part]"
      attempts=0
      SUPERVISED_STARTED_MS[$part]=$now
    fi
    [ -z "${SUPERVISED_STARTED_MS[$part]:-}" ] && SUPERVISED_STARTED_MS[$part]=$now
    if ((attempts > 0 && now - SUPERVISED_STARTED_MS[$part] >= RESTART_STABLE_S * 1000)); then
      attempts=0
    fi
    SUPERVISED_ATTEMPTS[$part]=$attempts
    return 0
  fi
  [ -e "$RUN_DIR/$part.failed" ] && return 0

  if [ -z "${SUPERVISED_DUE_MS[$part]:-}" ]; then  # just found dead
    reason="$(exit_reason "$part")"
    attempts=$((attempts + 1))
    SUPERVISED_ATTEMPTS[$part]=$attempts
    unset "SUPERVISED_STARTED_MS[$part]"
    if ((attempts > RESTART_MAX_ATTEMPTS)); then
      SUPERVISED_GAVE_UP[$part]=1
      touch "$RUN_DIR/$part.failed"
      echo "died $(date '+%T') ($reason); gave up after $RESTART_MAX_ATTEMPTS restarts: ./run.sh restart ${part#node-} tries again" \
        >"$RUN_DIR/$part.note"
      supervisor_log "$label FAILED: died ($reason) after $RESTART_MAX_ATTEMPTS restarts in a row; giving up" \
        "(see $(part_log "$part"); './run.sh restart ${part#node-}' tries again)"
      return 0
    fi
    local delay
    delay="$(restart_delay_ms "$attempts")"
    SUPERVISED_DUE_MS[$part]=$((now + delay))
    echo "died $(date '+%T') ($reason); restart $attempts of $RESTART_MAX_ATTEMPTS due in $delay ms" >"$RUN_DIR/$part.note"
    supervisor_log "$label died ($reason); restarting it in $delay ms (attempt $attempts of $RESTART_MAX_ATTEMPTS)"
    return 0
  fi

  ((now >= SUPERVISED_DUE_MS[$part])) || return 0
  unset "SUPERVISED_DUE_MS[$part]"
  if start_part "$part"; then
    restarts=$(($(cat "$RUN_DIR/$part.restarts" 2>/dev/null || echo 0) + 1))
    echo "$restarts" >"$RUN_DIR/$part.restarts"
    SUPERVISED_STARTED_MS[$part]=$now
    echo "restarted $(date '+%T') by the supervisor (attempt $attempts of $RESTART_MAX_ATTEMPTS), pid $(part_pid "$part")" \
      >"$RUN_DIR/$part.note"
    local rejoins="; it rejoins as a backup"
    [ "$part" = broker ] && rejoins="; the nodes reconnect to it"
    supervisor_log "$label restarted, pid $(part_pid "$part") (attempt $attempts of $RESTART_MAX_ATTEMPTS$rejoins)"
  else
    supervisor_log "$label could not be started (attempt $attempts of $RESTART_MAX_ATTEMPTS)"
  fi
}

supervise_once() {
  local part now
  now="$(now_ms)"
  lock_cluster
  for part in $(part_names); do supervise_part "$part" "$now"; done
  unlock_cluster
}

# The loop. ON_SIGNAL names what to run on SIGTERM/SIGINT before exiting.
supervise_forever() {  # ON_SIGNAL
  local on_signal="$1"
  # shellcheck disable=SC2064
  trap "trap '' INT TERM; $on_signal; exit 0" INT TERM
  echo $$ >"$RUN_DIR/supervisor.pid"
  supervisor_log "supervisor started (pid $$): restarts a dead part after $RESTART_FIRST_DELAY_MS ms" \
    "(doubling, at most $RESTART_MAX_DELAY_MS ms), $RESTART_MAX_ATTEMPTS times in a row at most"
  while cluster_exists; do
    supervise_once
    sleep "$SUPERVISE_INTERVAL_S" &
    wait $! || true  # a signal interrupts the wait at once
  done
  supervisor_log "supervisor exits: $RUN_DIR/cluster.env is gone"
}

# Background mode: `run.sh __supervise DIR` started by `up`, in its own session.
start_background_supervisor() {
  local waited=0
  rm -f "$RUN_DIR/supervisor.pid"
  setsid "$ROOT/run.sh" __supervise "$CLUSTER_DIR" >>"$LOG_DIR/supervisor.log" 2>&1 </dev/null 9>&- &
  until [ -s "$RUN_DIR/supervisor.pid" ]; do
    ((waited < PID_FILE_TIMEOUT_MS)) || die "the supervisor did not start within $PID_FILE_TIMEOUT_MS ms (see $LOG_DIR/supervisor.log)"
    sleep 0.05
    waited=$((waited + 50))
  done
}

supervisor_pid() { cat "$RUN_DIR/supervisor.pid" 2>/dev/null || true; }
# The supervisor is a run.sh: comm "run.sh", or "bash" when started as `bash run.sh`.
supervisor_running() {
  local pid
  pid="$(supervisor_pid)"
  process_alive "$pid" run.sh || process_alive "$pid" bash
}
