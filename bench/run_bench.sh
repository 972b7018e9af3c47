#!/usr/bin/env bash
# bench/run_bench.sh: tuplestar's whole benchmark in one go (issue 5).
#
#   bench/run_bench.sh [--quick] [--no-micro] [--no-failover] [--no-redis] [--no-peers]
#
# 1. the micro-benchmarks (ts_microbench, JSON);
# 2. the systems side by side, alternating (A B C, then C B A, ...) so that a
#    noisy machine hurts them alike: tuplestar (tscluster up: tsbroker + 3 tsnode,
#    every write acknowledged after both backups applied it: --min-acks 2, and on
#    disk with --sync always, the default: the headline), tuplestar-nosync (the
#    same with --sync none, writes only: the cost of the fsync), the ceiling (the
#    same tsbroker + bench/echo_node, which answers at once), Redis with one
#    replica (asynchronous, redis-benchmark), and the peers that acknowledge
#    only what is replicated (bench/peers, installed by bench/peers/install.sh
#    when root, skipped with a note otherwise): Redis + replica with WAIT 1 0
#    after every round of SETs (redis_wait_bench) and a 3-member etcd 3.4
#    through its JSON gateway (etcd_bench). Writes are one pair per PUT (SET), reads one exact
#    key per GET, at each clients x depth config. The nodes' fdatasyncs per
#    acknowledged write come from the counters each tsnode logs at exit;
# 3. failover_bench: kill -9 failover times, a fault-free saturated run, the
#    resync time of a fresh backup, and memory beside Redis's for 1,000,000
#    pairs of 16-byte keys and values;
# 4. the markdown table (stdout), the raw JSON and a PNG chart in bench/results/.
# Every part runs on loopback on free ports; everything started is stopped on
# exit. Knobs (environment): TS_BUILD_DIR, TS_BENCH_ROUNDS, TS_BENCH_DURATION_S,
# TS_BENCH_CONFIGS, TS_BENCH_KILLS, TS_BENCH_SATURATED_S, TS_BENCH_RESYNC_PAIRS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${TS_BUILD_DIR:-$ROOT/build}"
RESULTS_DIR="${TS_BENCH_RESULTS_DIR:-$ROOT/bench/results}"
JOBS="${TS_JOBS:-$(nproc)}"

# ---- every knob, named, in one place -------------------------------------------
ROUNDS="${TS_BENCH_ROUNDS:-2}"                 # A B C / C B A rounds per measurement
DURATION_S="${TS_BENCH_DURATION_S:-3}"         # measured window of each run
WARMUP_S="${TS_BENCH_WARMUP_S:-0.5}"           # unmeasured load before it
CONFIGS="${TS_BENCH_CONFIGS:-1x1 8x1 8x16}"    # clients x requests in flight per client
INSECURE_CONFIGS="${TS_BENCH_INSECURE_CONFIGS:-8x16}"  # where tuplestar --insecure is measured too (CURVE's cost)
KEY_SPACE="${TS_BENCH_KEY_SPACE:-100000}"      # keys the reads pick from (preloaded)
VALUE_SIZE=16                                  # bytes per value
MIN_ACKS=2                                     # writes wait for both backups
KILLS="${TS_BENCH_KILLS:-20}"                  # kill -9 rounds
SATURATED_S="${TS_BENCH_SATURATED_S:-60}"      # fault-free saturated run (issue: 300 for the target)
RESYNC_PAIRS="${TS_BENCH_RESYNC_PAIRS:-1000000}"
MEMORY_PAIRS="${TS_BENCH_MEMORY_PAIRS:-1000000}"
MICRO_MIN_TIME="${TS_BENCH_MICRO_MIN_TIME:-0.05}"  # seconds per micro-benchmark
READY_TIMEOUT_S=30                             # a system must answer within this
STOP_TIMEOUT_S=5                               # after SIGTERM, before SIGKILL
PACKAGES=(redis-server redis-tools gnuplot-nox)
ETCD_KEY_SPACE="${TS_BENCH_ETCD_KEY_SPACE:-10000}"  # etcd's preload is slow (128 puts per transaction)
PEER_TIMEOUT_MS=5000                           # the peers' drivers: longest wait for one reply
RUN_MICRO=1 RUN_FAILOVER=1 RUN_REDIS=1 RUN_PEERS=1

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1 DURATION_S=1 KILLS=3 SATURATED_S=5 RESYNC_PAIRS=100000 MEMORY_PAIRS=100000 ;;
    --no-micro) RUN_MICRO=0 ;;
    --no-failover) RUN_FAILOVER=0 ;;
    --no-redis) RUN_REDIS=0 RUN_PEERS=0 ;;
    --no-peers) RUN_PEERS=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run_bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# ---- packages: Redis (the peer) and gnuplot (the chart) --------------------------
ensure_packages() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      log "could not install ${missing[*]}; going on without them"
  else
    log "not root: cannot install ${missing[*]}; the parts needing them are skipped"
  fi
}

# ---- processes we start, and only those, are stopped at exit ---------------------
STARTED_PIDS=()  # the ceiling and Redis; tuplestar's clusters are the launcher's (stop_tuplestar)
start() {  # start NAME COMMAND...: in the background, output to $RUN/NAME.log
  local name="$1"; shift
  "$@" >"$RUN/$name.log" 2>&1 &
  STARTED_PIDS+=("$!")
  echo "$!"
}
stop_all() {
  stop_tuplestar
  if [ -d "${RUN:-}/etcd-cluster" ]; then bash "$ROOT/bench/peers/etcd_cluster.sh" stop "$RUN" || true; fi
  [ ${#STARTED_PIDS[@]} -eq 0 ] && return 0
  kill -TERM "${STARTED_PIDS[@]}" 2>/dev/null || true
  local waited=0
  while [ $waited -lt $((STOP_TIMEOUT_S * 10)) ]; do
    local alive=0
    for pid in "${STARTED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1; waited=$((waited + 1))
  done
  for pid in "${STARTED_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  STARTED_PIDS=()
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_until() {  # wait_until SECONDS COMMAND...: true once COMMAND succeeds, false at the deadline
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# ---- the systems ------------------------------------------------------------------
# tuplestar is started by the launcher (tscluster up: the same ClusterLayout,
# supervisor and orderly shutdown as ./run.sh up), on a free port range, once
# per --sync mode: SYSTEM -> its broker's client endpoint and its directory.
declare -A TS_ENDPOINT TS_DIR
# tuplestar and tuplestar-nosync are CURVE (the launcher makes their keys);
# tuplestar-insecure is every link in plain text (TS_INSECURE=1: tsnode and
# tsbroker --insecure), measured at INSECURE_CONFIGS only: what CURVE costs.
TS_SYSTEMS=(tuplestar tuplestar-nosync)
declare -A TS_SYNC=([tuplestar]=always [tuplestar-nosync]=none [tuplestar-insecure]=always)
# The client key tsbench uses for SYSTEM, when its cluster has keys.
client_key_args() {  # client_key_args SYSTEM
  local key="${TS_DIR[$1]:-}/keys/clients/client"
  [ -n "${TS_DIR[$1]:-}" ] && [ -f "$key.secret" ] && printf '%s\n' --key "$key"
  return 0
}
start_tuplestar() {  # start_tuplestar SYSTEM
  local system="$1" base
  base=$("$BUILD_DIR/launcher/tscluster" free-port-base --nodes 3) || die "no free port range for $system"
  TS_DIR[$system]="$RUN/$system"
  TS_ENDPOINT[$system]="tcp://127.0.0.1:$base"
  local insecure=0; [ "$system" = tuplestar-insecure ] && insecure=1
  TS_INSECURE=$insecure TS_BUILD_DIR="$BUILD_DIR" "$BUILD_DIR/launcher/tscluster" up --nodes 3 --port "$base" \
    --dir "${TS_DIR[$system]}" --min-acks "$MIN_ACKS" --max-clients 64 --sync "${TS_SYNC[$system]}" \
    >"$RUN/$system-up.log" 2>&1 ||
    die "$system did not start (see $RUN/$system-up.log and ${TS_DIR[$system]}/logs)"
  log "$system: broker at ${TS_ENDPOINT[$system]}, 3 nodes, --min-acks $MIN_ACKS, --sync ${TS_SYNC[$system]}; preloading $KEY_SPACE keys"
  local keys=(); mapfile -t keys < <(client_key_args "$system")
  wait_until "$READY_TIMEOUT_S" "$BUILD_DIR/bench/tsbench" --broker "${TS_ENDPOINT[$system]}" --preload --duration-s 0 \
    --key-space "$KEY_SPACE" --value-size "$VALUE_SIZE" --timeout-ms 5000 "${keys[@]}" ||
    die "$system did not answer within $READY_TIMEOUT_S s (logs: ${TS_DIR[$system]}/logs)"
}
stop_tuplestar() {  # every cluster started; each node logs its log's counters as it exits
  local system
  for system in "${!TS_DIR[@]}"; do
    [ -d "${TS_DIR[$system]}/run" ] || continue
    "$BUILD_DIR/launcher/tscluster" down --dir "${TS_DIR[$system]}" >>"$RUN/$system-up.log" 2>&1 || true
  done
}
# SYSTEM -> {fdatasyncs, log_entries, ...} in $RUN/fsyncs.jsonl, from the line each
# node logs at exit: "DIR: this run wrote R records, B bytes, S fdatasyncs, ...; log at T:SEQ".
# Every acknowledged write request is one log entry (the preload's batches too).
count_fsyncs() {
  local system
  for system in "${!TS_DIR[@]}"; do
    python3 - "$system" "${TS_SYNC[$system]}" "${TS_DIR[$system]}"/logs/node-*.log <<'PY' >>"$RUN/fsyncs.jsonl"
import json, re, sys
system, sync, logs = sys.argv[1], sys.argv[2], sys.argv[3:]
line = re.compile(r"this run wrote (\d+) records, (\d+) bytes, (\d+) fdatasyncs, .*; log at (\d+):(\d+)")
nodes = []
for path in logs:
    found = [m for m in map(line.search, open(path, errors="replace")) if m]
    if found:
        m = found[-1]
        nodes.append({"log": path, "records": int(m[1]), "bytes": int(m[2]), "fdatasyncs": int(m[3]), "seq": int(m[5])})
entries = max((n["seq"] for n in nodes), default=0)
syncs = sum(n["fdatasyncs"] for n in nodes)
print(json.dumps({"system": system, "sync": sync, "nodes_counted": len(nodes), "fdatasyncs": syncs,
                  "log_entries": entries, "fdatasyncs_per_write": syncs / entries if entries else None}))
PY
  done
}

start_echo() {
  local c n s; c=$(free_port); n=$(free_port); s=$(free_port)
  ECHO_CLIENTS="tcp://127.0.0.1:$c"
  start echo-broker "$BUILD_DIR/brokers/tsbroker" --clients "$ECHO_CLIENTS" --nodes "tcp://127.0.0.1:$n" \
    --shutdown "tcp://127.0.0.1:$s" --cluster-size 1 --max-clients 64 --insecure >/dev/null  # echo_node speaks plain text
  start echo-node "$BUILD_DIR/bench/echo_node" --broker "tcp://127.0.0.1:$n" >/dev/null
  log "ceiling: the same tsbroker at $ECHO_CLIENTS with echo_node"
  wait_until "$READY_TIMEOUT_S" "$BUILD_DIR/bench/tsbench" --broker "$ECHO_CLIENTS" --duration-s 0.2 \
    --warmup-s 0 --progress-s 0 --mix get=1 || die "echo_node did not answer (logs: $RUN/echo-*.log)"
}

redis_replica_up() { redis-cli -p "$REDIS_REPLICA_PORT" info replication | grep -q "master_link_status:up"; }

start_redis() {
  REDIS_PORT=$(free_port); REDIS_REPLICA_PORT=$(free_port)
  local common=(--bind 127.0.0.1 --save '' --appendonly no --protected-mode no --daemonize no)
  start redis-master redis-server --port "$REDIS_PORT" "${common[@]}" --dir "$RUN" >/dev/null
  start redis-replica redis-server --port "$REDIS_REPLICA_PORT" "${common[@]}" --dir "$RUN" \
    --replicaof 127.0.0.1 "$REDIS_PORT" --repl-diskless-sync-delay 0 >/dev/null
  redis-cli -p "$REDIS_PORT" config set repl-diskless-sync-delay 0 >/dev/null 2>&1 || true
  log "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'): master :$REDIS_PORT, replica :$REDIS_REPLICA_PORT"
  wait_until "$READY_TIMEOUT_S" redis_replica_up || die "the Redis replica did not link up (logs: $RUN/redis-*.log)"
}

# ---- one measurement -> one line of $RUN/raw.jsonl ---------------------------------
declare -A REDIS_RATE  # workload/config -> last measured ops/s, to size the next -n
record() {  # record SYSTEM WORKLOAD CONFIG ROUND JSON
  python3 -c 'import json,sys; d=json.loads(sys.argv[5]); d.update(system=sys.argv[1], workload=sys.argv[2], config=sys.argv[3], round=int(sys.argv[4])); print(json.dumps(d))' \
    "$@" >>"$RUN/raw.jsonl"
}

measure_tsbench() {  # SYSTEM ENDPOINT WORKLOAD CLIENTS DEPTH
  local mix=put-new=1; [ "$3" = read ] && mix=get=1
  local keys=(); mapfile -t keys < <(client_key_args "$1")  # CURVE (the default) when the cluster has keys
  "$BUILD_DIR/bench/tsbench" --broker "$2" --clients "$4" --depth "$5" --duration-s "$DURATION_S" \
    --warmup-s "$WARMUP_S" --mix "$mix" --key-space "$KEY_SPACE" --value-size "$VALUE_SIZE" --json "${keys[@]}"
}

# Sizes redis-benchmark's -n so that a run lasts about DURATION_S: from the last
# rate measured for this workload and config, or a short calibration run.
redis_requests() {  # WORKLOAD CLIENTS DEPTH -> sets REDIS_REQUESTS
  local test=set; [ "$1" = read ] && test=get
  local key="$1/$2x$3"
  if [ -z "${REDIS_RATE[$key]:-}" ]; then
    REDIS_RATE[$key]=$(redis-benchmark -p "$REDIS_PORT" -c "$2" -P "$3" -n $(( $2 * $3 * 500 > 5000 ? $2 * $3 * 500 : 5000 )) \
      -r "$KEY_SPACE" -d "$VALUE_SIZE" -t "$test" --csv | python3 "$ROOT/bench/redis_csv.py" --rate)
  fi
  REDIS_REQUESTS=$(python3 -c "import sys; print(max(1000, int(float(sys.argv[1]) * float(sys.argv[2]))))" \
    "${REDIS_RATE[$key]}" "$DURATION_S")
}

measure_redis() {  # WORKLOAD CLIENTS DEPTH REQUESTS
  local test=set; [ "$1" = read ] && test=get
  redis-benchmark -p "$REDIS_PORT" -c "$2" -P "$3" -n "$4" -r "$KEY_SPACE" -d "$VALUE_SIZE" -t "$test" \
    --precision 3 --csv | python3 "$ROOT/bench/redis_csv.py" --json --clients "$2" --depth "$3" --requests "$4"
}

measure_peer() {  # redis-wait|etcd WORKLOAD CLIENTS DEPTH: bench/peers' drivers print tsbench's JSON
  local window=(--clients "$3" --depth "$4" --workload "$2" --duration-s "$DURATION_S" --warmup-s "$WARMUP_S"
                --value-size "$VALUE_SIZE" --timeout-ms "$PEER_TIMEOUT_MS" --json)
  case "$1" in
    redis-wait) "$BUILD_DIR/bench/peers/redis_wait_bench" --port "$REDIS_PORT" --key-space "$KEY_SPACE" "${window[@]}" 2>>"$RUN/redis-wait.log" ;;
    etcd) "$BUILD_DIR/bench/peers/etcd_bench" --endpoints "$ETCD_ENDPOINTS" --key-space "$ETCD_KEY_SPACE" "${window[@]}" 2>>"$RUN/etcd.log" ;;
  esac
}

measure() {  # SYSTEM WORKLOAD CONFIG ROUND
  local clients=${3%x*} depth=${3#*x} json=""
  log "round $4: $1 $2 ${clients}x${depth}"
  # A failed run is recorded as such (tsbench prints its JSON even when nothing was answered).
  case "$1" in
    tuplestar*) json=$(measure_tsbench "$1" "${TS_ENDPOINT[$1]}" "$2" "$clients" "$depth") || true ;;
    ceiling) json=$(measure_tsbench "$1" "$ECHO_CLIENTS" "$2" "$clients" "$depth") || true ;;
    redis)
      redis_requests "$2" "$clients" "$depth"
      json=$(measure_redis "$2" "$clients" "$depth" "$REDIS_REQUESTS") || true
      local rate; rate=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])' 2>/dev/null) || true
      if [ -n "$rate" ]; then REDIS_RATE["$2/$3"]=$rate; fi ;;
    redis-wait|etcd) json=$(measure_peer "$1" "$2" "$clients" "$depth") || true ;;
  esac
  [ -n "$json" ] || json='{"ops_per_s": 0, "failed": true}'
  record "$1" "$2" "$3" "$4" "$json"
}

# ---- Redis's memory for the same 1,000,000 pairs -----------------------------------
redis_memory() {
  local port; port=$(free_port)
  start redis-memory redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --protected-mode no --dir "$RUN" >/dev/null
  local pid="${STARTED_PIDS[-1]}"
  wait_until "$READY_TIMEOUT_S" redis-cli -p "$port" ping || { log "Redis (memory) did not start"; return 0; }
  local empty_kib; empty_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  # Keys k000000000000000.. (16 bytes) and 16-byte values, as failover_bench fills tuplestar.
  python3 - "$MEMORY_PAIRS" <<'PY' | redis-cli -p "$port" --pipe >"$RUN/redis-memory-fill.log" 2>&1
import sys
out = sys.stdout.buffer
for i in range(int(sys.argv[1])):
    key = b"k%015d" % i
    value = b"v%015d" % (i * 7919 % 10**15)
    out.write(b"*3\r\n$3\r\nSET\r\n$16\r\n" + key + b"\r\n$16\r\n" + value + b"\r\n")
PY
  local full_kib used keys
  full_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  used=$(redis-cli -p "$port" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')
  keys=$(redis-cli -p "$port" dbsize)
  python3 -c 'import json,sys; e,f,u,k,n=map(int,sys.argv[1:6]); print(json.dumps({"pairs":n,"keys_stored":k,"empty_kib":e,"full_kib":f,"used_memory_bytes":u,"bytes_per_pair":round((f-e)*1024/max(n,1),1)}))' \
    "$empty_kib" "$full_kib" "${used:-0}" "${keys:-0}" "$MEMORY_PAIRS" >"$RUN/redis-memory.json"
  kill -TERM "$pid" 2>/dev/null || true
}

# ---- main ---------------------------------------------------------------------------
ensure_packages
HAVE_REDIS=0
if [ $RUN_REDIS = 1 ] && command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then HAVE_REDIS=1; fi
[ $HAVE_REDIS = 1 ] || log "Redis is not installed (or --no-redis): the Redis column is skipped"
# The peers that acknowledge only replicated writes: their packages (as root) and drivers.
HAVE_PEERS=0
if [ $RUN_PEERS = 1 ]; then
  if bash "$ROOT/bench/peers/install.sh"; then HAVE_PEERS=1
  else log "the peers (Redis + WAIT, etcd) are not installed: their rows are skipped (bench/peers/install.sh as root installs them)"; fi
fi

if [ "${TS_SKIP_BUILD:-0}" != 1 ]; then
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  log "building the benchmark targets in ${BUILD_DIR#"$ROOT"/}"
  cmake --build "$BUILD_DIR" -j "$JOBS" --target tscluster tsbroker tsnode tsctl tsbench echo_node failover_bench \
    ts_microbench >&2
  if [ $HAVE_PEERS = 1 ]; then
    # The drivers are configured only where hiredis and cpp-httplib were found at cmake time.
    cmake "$BUILD_DIR" >/dev/null
    cmake --build "$BUILD_DIR" -j "$JOBS" --target redis_wait_bench etcd_bench >&2 || log "the peers' drivers did not build"
  fi
fi
if [ $HAVE_PEERS = 1 ]; then
  for driver in redis_wait_bench etcd_bench; do
    [ -x "$BUILD_DIR/bench/peers/$driver" ] || { log "$BUILD_DIR/bench/peers/$driver is not built: the peers' rows are skipped"; HAVE_PEERS=0; }
  done
  [ $HAVE_REDIS = 1 ] || { log "Redis + WAIT needs Redis (--no-redis): the peers' rows are skipped"; HAVE_PEERS=0; }
fi

RUN="$(mktemp -d /tmp/tsbench-run-XXXXXX)"
STAMP="$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS_DIR"
python3 -c 'import json,os,platform,sys,time; print(json.dumps({"date_utc":time.strftime("%Y-%m-%d %H:%M UTC",time.gmtime()),"nproc":os.cpu_count(),"kernel":platform.release(),"loadavg":os.getloadavg(),"rounds":int(sys.argv[1]),"duration_s":float(sys.argv[2]),"key_space":int(sys.argv[3]),"value_size":int(sys.argv[4]),"min_acks":int(sys.argv[5])}))' \
  "$ROUNDS" "$DURATION_S" "$KEY_SPACE" "$VALUE_SIZE" "$MIN_ACKS" >"$RUN/machine.json"
log "work directory (logs, raw output): $RUN"

if [ $RUN_MICRO = 1 ]; then
  log "micro-benchmarks (space and codec)"
  "$BUILD_DIR/bench/ts_microbench" --benchmark_min_time="$MICRO_MIN_TIME" --benchmark_counters_tabular=true \
    --benchmark_out="$RUN/micro.json" --benchmark_out_format=json >&2
fi

for system in "${TS_SYSTEMS[@]}"; do start_tuplestar "$system"; done
[ -n "$INSECURE_CONFIGS" ] && start_tuplestar tuplestar-insecure
start_echo
SYSTEMS=(tuplestar tuplestar-nosync ceiling)
if [ $HAVE_REDIS = 1 ]; then start_redis; SYSTEMS+=(redis); fi
if [ $HAVE_PEERS = 1 ]; then
  # Redis + WAIT shares the Redis pair above (its writes are new keys; its reads the preloaded ones).
  "$BUILD_DIR/bench/peers/redis_wait_bench" --port "$REDIS_PORT" --preload --key-space "$KEY_SPACE" \
    --value-size "$VALUE_SIZE" --duration-s 0 >/dev/null 2>>"$RUN/redis-wait.log" || die "preloading Redis failed (see $RUN/redis-wait.log)"
  ETCD_ENDPOINTS=$(bash "$ROOT/bench/peers/etcd_cluster.sh" start "$RUN" --owner $$) || die "etcd did not start (see $RUN/etcd-cluster/)"
  log "etcd $(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p'): 3 members at $ETCD_ENDPOINTS; preloading $ETCD_KEY_SPACE keys"
  "$BUILD_DIR/bench/peers/etcd_bench" --endpoints "$ETCD_ENDPOINTS" --preload --key-space "$ETCD_KEY_SPACE" \
    --value-size "$VALUE_SIZE" --duration-s 0 >/dev/null 2>>"$RUN/etcd.log" || die "preloading etcd failed (see $RUN/etcd.log)"
  SYSTEMS+=(redis-wait etcd)
fi
: >"$RUN/raw.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  order=("${SYSTEMS[@]}")
  if [ $((round % 2)) = 0 ]; then order=(); for ((i=${#SYSTEMS[@]}-1; i>=0; i--)); do order+=("${SYSTEMS[$i]}"); done; fi
  for config in $CONFIGS; do
    for workload in write read; do
      for system in "${order[@]}"; do
        # --sync none changes writes only: its reads would add minutes, not rows.
        [ "$system" = tuplestar-nosync ] && [ "$workload" = read ] && continue
        measure "$system" "$workload" "$config" "$round"
      done
      if [[ " $INSECURE_CONFIGS " == *" $config "* ]]; then measure tuplestar-insecure "$workload" "$config" "$round"; fi
    done
  done
done
stop_all  # the failover runs get the machine to themselves
count_fsyncs

if [ $RUN_FAILOVER = 1 ]; then
  log "failover, resync and memory (failover_bench: $KILLS kills, ${SATURATED_S} s saturated, $RESYNC_PAIRS pairs)"
  "$BUILD_DIR/bench/failover_bench" --kills "$KILLS" --saturated-s "$SATURATED_S" --resync-pairs "$RESYNC_PAIRS" \
    --work-dir "$RUN/failover" --json "$RUN/failover.json" || log "failover_bench reported a failure (see $RUN/failover.json)"
  if [ $HAVE_REDIS = 1 ]; then redis_memory; stop_all; fi
fi

python3 "$ROOT/bench/bench_report.py" --run "$RUN" --out "$RESULTS_DIR/bench-$STAMP"
for ext in md json png; do
  [ -f "$RESULTS_DIR/bench-$STAMP.$ext" ] && cp "$RESULTS_DIR/bench-$STAMP.$ext" "$RESULTS_DIR/latest.$ext"
done
cat "$RESULTS_DIR/bench-$STAMP.md"
log "written: $RESULTS_DIR/bench-$STAMP.{md,json,png} (and latest.*); raw output and logs in $RUN"
