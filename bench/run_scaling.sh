#!/usr/bin/env bash
# bench/run_scaling.sh: how tuplestar's cost grows with the work (issue 15 item 2).
#
#   bench/run_scaling.sh [--quick] [--max-pairs N] [--no-nodes] [--no-pairs] [--no-values]
#   (also: ./run.sh scaling, ./run.sh bench --scaling)
#
# Every cluster is the launcher's (tscluster up), in its default, durable
# configuration: CURVE on every link, --sync always, and the majority rule for
# acknowledgements (no --min-acks: a write waits for cluster_size / 2 backups,
# so 1 of 2 at 3 nodes, 2 of 4 at 5, 3 of 6 at 7). Load is tsbench.
# 1. nodes: write (put-new) and read (get) throughput at CONFIG (8x16) with 3,
#    5 and 7 nodes, the clusters up side by side and measured in alternating
#    rounds (3 5 7 / 7 5 3 ...);
# 2. pairs: for each of PAIRS stored pairs (100,000 / 1,000,000 / 10,000,000;
#    --max-pairs drops the larger steps), one fresh 3-node cluster: the preload
#    rate, every tsnode's RSS (/proc/PID/status) before and after it, write and
#    read throughput at CONFIG, get-regex (a literal prefix: a range of <= 10
#    keys) and get-scan (no literal prefix: every key is matched) at 1x1, the
#    resync time of a backup that lost its data (kill -9, its node-ID.data
#    removed, the supervisor restarts it; until the broker's status shows it a
#    live backup with lag 0 at the primary's position, from a heartbeat of the
#    new process), and the recovery time (kill -9 every node; until the first
#    acknowledged write, then the last preloaded key is read back);
# 3. values: write and read throughput (ops/s, MB/s) at CONFIG for VALUES
#    bytes per value (16 .. 16 KiB: the space stores at most 64 elements of 256
#    bytes, nodes/space/space.h), one cluster per size, alternating rounds;
# 4. the markdown table (stdout), JSON and a PNG in bench/results/
#    (scaling-<stamp>.* and latest-scaling.*), by bench/scaling_report.py.
# Knobs (environment): TS_BUILD_DIR, TS_SCALE_ROUNDS (2), TS_SCALE_DURATION_S (3),
# TS_SCALE_WARMUP_S (0.5), TS_SCALE_CONFIG (8x16), TS_SCALE_NODES ("3 5 7"),
# TS_SCALE_NODE_KEYS (100000), TS_SCALE_PAIRS ("100000 1000000 10000000"),
# TS_SCALE_VALUES ("16 256 1024 4096 16384"), TS_SCALE_VALUE_KEYS (2000),
# TS_SCALE_SCAN_S (10: get-scan's window), TS_SCALE_PRELOAD_TIMEOUT_S (900),
# TS_SCALE_SYNC_TIMEOUT_S (900: resync and recovery, each).
# --quick: 1 round of 1 s, 3 and 5 nodes, 20,000 / 100,000 pairs, 3 value sizes
# (it overrides those knobs). Runs 1, 3, then 2 (the long steps last). A pairs
# step whose preload does not complete is a row and the run goes on; a run that
# stops early still reports what it measured. Every wait is bounded; every
# cluster started is shut down on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMAND_LINE="bench/run_scaling.sh${*:+ $*}"
BUILD_DIR="${TS_BUILD_DIR:-$ROOT/build}"
RESULTS_DIR="${TS_BENCH_RESULTS_DIR:-$ROOT/bench/results}"
JOBS="${TS_JOBS:-$(nproc)}"

# ---- every knob, named, in one place -------------------------------------------
ROUNDS="${TS_SCALE_ROUNDS:-2}"                    # alternating rounds per comparison
DURATION_S="${TS_SCALE_DURATION_S:-3}"            # measured window of each run
WARMUP_S="${TS_SCALE_WARMUP_S:-0.5}"              # unmeasured load before it
CONFIG="${TS_SCALE_CONFIG:-8x16}"                 # clients x requests in flight per client
NODE_COUNTS="${TS_SCALE_NODES:-3 5 7}"
NODE_KEYS="${TS_SCALE_NODE_KEYS:-100000}"         # keys preloaded for the reads of part 1
PAIR_STEPS="${TS_SCALE_PAIRS:-100000 1000000 10000000}"
MAX_PAIRS=""                                      # --max-pairs N: steps above N are skipped
VALUE_SIZES="${TS_SCALE_VALUES:-16 256 1024 4096 16384}"
VALUE_KEYS="${TS_SCALE_VALUE_KEYS:-2000}"         # keys preloaded per value size
SCAN_S="${TS_SCALE_SCAN_S:-10}"                   # get-scan's window (one op may take seconds at 10M)
PRELOAD_TIMEOUT_S="${TS_SCALE_PRELOAD_TIMEOUT_S:-900}"
SYNC_TIMEOUT_S="${TS_SCALE_SYNC_TIMEOUT_S:-900}"  # resync, and recovery, each
READY_TIMEOUT_S=60                                # a fresh cluster must answer within this
REQUEST_TIMEOUT_MS=10000                          # tsbench's per attempt (a loaded machine)
SCAN_TIMEOUT_MS=120000                            # get-scan's per attempt
PROBE_TIMEOUT_MS=1000                             # one recovery probe (tsctl put)
POLL_S=0.1                                        # status / probe interval
MAX_CLIENTS=64
RUN_NODES=1 RUN_PAIRS=1 RUN_VALUES=1

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1 DURATION_S=1 WARMUP_S=0.2 NODE_COUNTS="3 5" NODE_KEYS=10000 PAIR_STEPS="20000 100000"
             VALUE_SIZES="16 1024 16384" VALUE_KEYS=500 SCAN_S=2 ;;
    --max-pairs) [ $# -ge 2 ] || { echo "run_scaling.sh: --max-pairs needs a number" >&2; exit 2; }
                 [[ "$2" =~ ^[0-9]+$ ]] || { echo "run_scaling.sh: --max-pairs $2: not a number" >&2; exit 2; }
                 MAX_PAIRS="$2"; shift ;;
    --no-nodes) RUN_NODES=0 ;;
    --no-pairs) RUN_PAIRS=0 ;;
    --no-values) RUN_VALUES=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_scaling.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for size in $VALUE_SIZES; do
  ((size >= 1 && size <= 16384)) || { echo "run_scaling.sh: value size $size: the space holds 1..16384 bytes per value" >&2; exit 2; }
done

log() { printf '[scaling] %s\n' "$*" >&2; }
die() { printf '[scaling] error: %s\n' "$*" >&2; exit 1; }

TSCLUSTER="$BUILD_DIR/launcher/tscluster"
TSBENCH="$BUILD_DIR/bench/tsbench"
TSCTL="$BUILD_DIR/clients/tsctl"

# ---- clusters: NAME -> directory and endpoint; every one is shut down at exit -------
declare -A DIR ENDPOINT NODES KEYS_OF VALUE_OF
stop_cluster() {  # stop_cluster NAME
  [ -d "${DIR[$1]}/run" ] || return 0
  "$TSCLUSTER" down --dir "${DIR[$1]}" >>"$RUN/$1-up.log" 2>&1 || true
}
stop_all() {
  local name
  for name in "${!DIR[@]}"; do stop_cluster "$name"; done
}
# The report of what was measured, also when a step failed or the run was
# interrupted (then the table says which rows are missing by not having them).
REPORTED=0
write_report() {
  [ "$REPORTED" = 0 ] && [ -n "${RUN:-}" ] && [ -s "$RUN/scaling.jsonl" ] || return 0
  REPORTED=1
  python3 -c 'import json,os,sys; m=json.load(open(sys.argv[1])); m["loadavg_end"]=os.getloadavg(); json.dump(m,open(sys.argv[1],"w"))' "$RUN/machine.json"
  python3 "$ROOT/bench/scaling_report.py" --run "$RUN" --out "$RESULTS_DIR/scaling-$STAMP"
  local ext
  for ext in md json png; do
    [ -f "$RESULTS_DIR/scaling-$STAMP.$ext" ] && cp "$RESULTS_DIR/scaling-$STAMP.$ext" "$RESULTS_DIR/latest-scaling.$ext"
  done
  return 0
}
finish() {
  local code=$?
  stop_all
  if [ "$code" != 0 ] && [ "$REPORTED" = 0 ] && [ -s "${RUN:-/nonexistent}/scaling.jsonl" ]; then
    log "the run stopped early (exit $code): reporting what was measured"
    echo "{\"exit\": $code}" >"$RUN/stopped-early.json"
    write_report || true
  fi
}
trap finish EXIT
trap 'exit 130' INT TERM

wait_until() {  # wait_until SECONDS COMMAND...: true once COMMAND succeeds, false at the deadline
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep "$POLL_S"
  done
}

key_args() { printf '%s\n' --key "${DIR[$1]}/keys/clients/client"; }
tsctl_json() {  # tsctl_json NAME ARGS...: one attempt, JSON out
  local keys=(); mapfile -t keys < <(key_args "$1")
  local name="$1"; shift
  "$TSCTL" --broker "${ENDPOINT[$name]}" "${keys[@]}" --timeout-ms "$PROBE_TIMEOUT_MS" --retries 0 --json "$@"
}

start_cluster() {  # start_cluster NAME NODE_COUNT
  local name="$1" count="$2" base
  base=$("$TSCLUSTER" free-port-base --nodes "$count") || die "no free port range for $name"
  DIR[$name]="$RUN/$name"; ENDPOINT[$name]="tcp://127.0.0.1:$base"; NODES[$name]="$count"
  TS_BUILD_DIR="$BUILD_DIR" "$TSCLUSTER" up --nodes "$count" --port "$base" --dir "${DIR[$name]}" \
    --max-clients "$MAX_CLIENTS" --sync always >"$RUN/$name-up.log" 2>&1 ||
    die "$name did not start (see $RUN/$name-up.log and ${DIR[$name]}/logs)"
  wait_until "$READY_TIMEOUT_S" tsctl_json "$name" ping || die "$name did not answer within $READY_TIMEOUT_S s (${DIR[$name]}/logs)"
  log "$name: $count nodes at ${ENDPOINT[$name]} (--sync always, CURVE, majority acks)"
}

preload() {  # preload NAME KEYS VALUE_SIZE -> tsbench's JSON on stdout
  local keys=(); mapfile -t keys < <(key_args "$1")
  timeout "$PRELOAD_TIMEOUT_S" "$TSBENCH" --broker "${ENDPOINT[$1]}" --preload --duration-s 0 --key-space "$2" \
    --value-size "$3" --timeout-ms "$REQUEST_TIMEOUT_MS" --retries 3 --json "${keys[@]}" 2>>"$RUN/$1-preload.log" ||
    die "preloading $2 pairs into $1 failed or took over $PRELOAD_TIMEOUT_S s (see $RUN/$1-preload.log)"
}

node_pids() {  # node_pids NAME -> "id pid" lines
  local file
  for file in "${DIR[$1]}"/run/node-*.pid; do
    local id=${file##*/node-}; id=${id%.pid}
    echo "$id $(cat "$file")"
  done
}
rss_json() {  # rss_json NAME -> {"1": kib, ...}
  node_pids "$1" | python3 -c '
import json, sys
out = {}
for line in sys.stdin:
    node, pid = line.split()
    try:
        out[node] = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
    except (OSError, StopIteration):
        out[node] = None
print(json.dumps(out))'
}

# Timed faults and waits (bench/scaling_faults.py: one process, its own clock).
faults() {  # faults NAME COMMAND [ARGS...] -> its JSON on stdout
  local name="$1"; shift
  python3 "$ROOT/bench/scaling_faults.py" "$@" --dir "${DIR[$name]}" --broker "${ENDPOINT[$name]}" \
    --key "${DIR[$name]}/keys/clients/client" --tsctl "$TSCTL" --nodes "${NODES[$name]}" --work "$RUN" \
    --timeout-s "$SYNC_TIMEOUT_S" --poll-s "$POLL_S" --probe-timeout-ms "$PROBE_TIMEOUT_MS" 2>>"$RUN/$name-faults.log"
}

record() {  # record JSON_FIELDS...: python dict literal pieces merged into one line of scaling.jsonl
  python3 -c 'import json,sys; d={}; [d.update(json.loads(a)) for a in sys.argv[1:]]; print(json.dumps(d))' "$@" >>"$RUN/scaling.jsonl"
}

measure() {  # measure NAME MIX CLIENTS DEPTH KEYS VALUE_SIZE DURATION TIMEOUT_MS -> tsbench JSON
  local keys=(); mapfile -t keys < <(key_args "$1")
  "$TSBENCH" --broker "${ENDPOINT[$1]}" --clients "$3" --depth "$4" --duration-s "$7" --warmup-s "$WARMUP_S" \
    --mix "$2" --key-space "$5" --value-size "$6" --timeout-ms "$8" --progress-s 0 --json "${keys[@]}" \
    2>>"$RUN/$1-tsbench.log" || echo '{"ops_per_s": 0, "failed": true}'
}
mix_of() { case "$1" in write) echo put-new=1 ;; read) echo get=1 ;; get-regex) echo get-regex=1 ;; get-scan) echo get-scan=1 ;; esac; }

# Alternating rounds over clusters: ROUND 1 in the order given, round 2 reversed, ...
alternate() {  # alternate SECTION NAME...: keys and value size per cluster from KEYS_OF / VALUE_OF
  local section="$1"; shift
  local names=("$@") round order workload name
  local clients=${CONFIG%x*} depth=${CONFIG#*x}
  for round in $(seq 1 "$ROUNDS"); do
    order=("${names[@]}")
    if [ $((round % 2)) = 0 ]; then order=(); for ((i=${#names[@]}-1; i>=0; i--)); do order+=("${names[$i]}"); done; fi
    for workload in write read; do
      for name in "${order[@]}"; do
        local keys="${KEYS_OF[$name]}" value="${VALUE_OF[$name]}"
        log "round $round: $section $name $workload $CONFIG"
        record "$(measure "$name" "$(mix_of $workload)" "$clients" "$depth" "$keys" "$value" "$DURATION_S" "$REQUEST_TIMEOUT_MS")" \
          "{\"section\": \"$section\", \"cluster\": \"$name\", \"nodes\": ${NODES[$name]}, \"workload\": \"$workload\", \"config\": \"$CONFIG\", \"round\": $round, \"key_space_n\": $keys, \"value_bytes\": $value}"
      done
    done
  done
}

# ---- 2. one step of stored pairs --------------------------------------------------
pairs_step() {  # pairs_step PAIRS
  local pairs="$1" name="pairs-$1"
  start_cluster "$name" 3
  local before after loaded
  before=$(rss_json "$name")
  log "$name: preloading $pairs pairs"
  local preload_started=$SECONDS
  if ! loaded=$(preload "$name" "$pairs" 16); then
    # A step that cannot be loaded is a row of the table (with the elections the
    # nodes logged meanwhile), not the end of the run.
    local elected; elected=$(cat "${DIR[$name]}"/logs/node-*.log | grep -c "became_primary" || true)
    log "$name: the preload did not complete ($((SECONDS - preload_started)) s, $elected primaries elected); next step"
    record "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"preload\", \"failed\": true, \"after_s\": $((SECONDS - preload_started)), \"primaries_elected\": $elected}"
    stop_cluster "$name"
    rm -rf "${DIR[$name]}"/node-*.data
    return 0
  fi
  faults "$name" in-sync >/dev/null || die "$name: the backups did not catch up within $SYNC_TIMEOUT_S s"
  after=$(rss_json "$name")
  record "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"preload\"}" \
    "{\"preload\": $(printf '%s' "$loaded" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["preload"]))')}" \
    "{\"rss_before_kib\": $before, \"rss_after_kib\": $after}"
  local clients=${CONFIG%x*} depth=${CONFIG#*x} workload
  for workload in write read; do
    log "$name: $workload $CONFIG"
    record "$(measure "$name" "$(mix_of $workload)" "$clients" "$depth" "$pairs" 16 "$DURATION_S" "$REQUEST_TIMEOUT_MS")" \
      "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"$workload\", \"config\": \"$CONFIG\"}"
  done
  log "$name: get-regex 1x1"
  record "$(measure "$name" get-regex=1 1 1 "$pairs" 16 "$DURATION_S" "$REQUEST_TIMEOUT_MS")" \
    "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"get-regex\", \"config\": \"1x1\"}"
  log "$name: get-scan 1x1 (${SCAN_S} s)"
  record "$(measure "$name" get-scan=1 1 1 "$pairs" 16 "$SCAN_S" "$SCAN_TIMEOUT_MS")" \
    "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"get-scan\", \"config\": \"1x1\"}"

  # Resync: a backup loses its data directory; recovery: every node killed at once,
  # each restarted by the supervisor from its own log.
  local resync recovery
  log "$name: resync: kill -9 a backup, its node-ID.data removed"
  resync=$(faults "$name" resync) || die "$name: resync failed: $resync"
  record "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"resync\"}" "$resync" \
    "{\"rss_kib\": $(rss_json "$name")}"
  log "$name: recovery: kill -9 every node"
  recovery=$(faults "$name" recovery --check-key "$(printf 'k%015d' $((pairs - 1)))") || die "$name: recovery failed: $recovery"
  record "{\"section\": \"pairs\", \"cluster\": \"$name\", \"pairs\": $pairs, \"workload\": \"recovery\"}" "$recovery"
  stop_cluster "$name"
  rm -rf "${DIR[$name]}"/node-*.data  # 10M pairs are gigabytes on disk
}

# ---- main ---------------------------------------------------------------------------
if [ "${TS_SKIP_BUILD:-0}" != 1 ]; then
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  log "building tscluster, tsbroker, tsnode, tsctl and tsbench in ${BUILD_DIR#"$ROOT"/}"
  cmake --build "$BUILD_DIR" -j "$JOBS" --target tscluster tsbroker tsnode tsctl tsbench >&2
fi
command -v gnuplot >/dev/null || log "gnuplot is not installed: no chart (apt-get install gnuplot-nox)"

RUN="$(mktemp -d /tmp/tsscaling-run-XXXXXX)"
STAMP="$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS_DIR"
: >"$RUN/scaling.jsonl"
python3 -c 'import json,os,platform,sys,time; print(json.dumps({"date_utc":time.strftime("%Y-%m-%d %H:%M UTC",time.gmtime()),"nproc":os.cpu_count(),"kernel":platform.release(),"loadavg_start":os.getloadavg(),"rounds":int(sys.argv[1]),"duration_s":float(sys.argv[2]),"warmup_s":float(sys.argv[3]),"config":sys.argv[4],"node_keys":int(sys.argv[5]),"value_keys":int(sys.argv[6]),"scan_s":float(sys.argv[7]),"poll_s":float(sys.argv[8]),"command":sys.argv[9]}))' \
  "$ROUNDS" "$DURATION_S" "$WARMUP_S" "$CONFIG" "$NODE_KEYS" "$VALUE_KEYS" "$SCAN_S" "$POLL_S" "$COMMAND_LINE" >"$RUN/machine.json"
log "work directory (logs, raw output): $RUN"

if [ $RUN_NODES = 1 ]; then
  names=()
  for count in $NODE_COUNTS; do
    start_cluster "nodes-$count" "$count"
    preload "nodes-$count" "$NODE_KEYS" 16 >/dev/null
    KEYS_OF[nodes-$count]=$NODE_KEYS; VALUE_OF[nodes-$count]=16; names+=("nodes-$count")
  done
  alternate nodes "${names[@]}"
  for name in "${names[@]}"; do stop_cluster "$name"; done
fi

if [ $RUN_VALUES = 1 ]; then
  names=()
  for size in $VALUE_SIZES; do
    start_cluster "value-$size" 3
    preload "value-$size" "$VALUE_KEYS" "$size" >/dev/null
    KEYS_OF[value-$size]=$VALUE_KEYS; VALUE_OF[value-$size]=$size; names+=("value-$size")
  done
  alternate values "${names[@]}"
  for name in "${names[@]}"; do stop_cluster "$name"; done
fi

if [ $RUN_PAIRS = 1 ]; then
  for pairs in $PAIR_STEPS; do
    if [ -n "$MAX_PAIRS" ] && [ "$pairs" -gt "$MAX_PAIRS" ]; then log "skipping $pairs pairs (--max-pairs $MAX_PAIRS)"; continue; fi
    pairs_step "$pairs"
  done
fi

write_report
cat "$RESULTS_DIR/scaling-$STAMP.md"
log "written: $RESULTS_DIR/scaling-$STAMP.{md,json,png} (and latest-scaling.*); raw output and logs in $RUN"
