#!/usr/bin/env bash
# bench/peers/peers_rounds.sh: the peers alone, in alternating rounds
# (A B C D, then D C B A, ...), at each clients x depth config, writes and
# reads: Redis + replica with WAIT (redis_wait_bench), Redis's plain
# asynchronous row as bench/run_bench.sh measures it (redis-benchmark), the
# same asynchronous writes through redis_wait_bench --replicas 0 (so the two
# Redis drivers can be compared), and a 3-member etcd (etcd_bench).
#
#   bench/peers/peers_rounds.sh [RUN_DIR]
#
# Writes RUN_DIR/raw.jsonl in run_bench.sh's format (one line per measurement:
# system, workload, config, round + the driver's JSON) and prints a table of
# the means. Knobs (environment): TS_BUILD_DIR, TS_BENCH_ROUNDS,
# TS_BENCH_DURATION_S, TS_BENCH_WARMUP_S, TS_BENCH_CONFIGS, TS_BENCH_KEY_SPACE,
# TS_PEERS_SYSTEMS. Needs the peers installed (bench/peers/install.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${TS_BUILD_DIR:-$ROOT/build}"
PEERS="$ROOT/bench/peers"

# ---- every knob, named, in one place -------------------------------------------
ROUNDS="${TS_BENCH_ROUNDS:-2}"
DURATION_S="${TS_BENCH_DURATION_S:-3}"
WARMUP_S="${TS_BENCH_WARMUP_S:-0.5}"
CONFIGS="${TS_BENCH_CONFIGS:-1x1 8x1 8x16}"
KEY_SPACE="${TS_BENCH_KEY_SPACE:-100000}"
ETCD_KEY_SPACE="${TS_BENCH_ETCD_KEY_SPACE:-10000}"  # etcd's preload is slow (128 puts per transaction)
VALUE_SIZE=16
SYSTEMS=(${TS_PEERS_SYSTEMS:-redis-wait redis-async redis-async-driver etcd})
READY_TIMEOUT_S=30
STOP_TIMEOUT_S=5
DRIVER_TIMEOUT_MS=5000

log() { printf '[peers] %s\n' "$*" >&2; }
die() { printf '[peers] error: %s\n' "$*" >&2; exit 1; }

bash "$PEERS/install.sh" || { log "the peers are not installed: nothing measured"; exit 2; }
for binary in redis_wait_bench etcd_bench; do
  [ -x "$BUILD_DIR/bench/peers/$binary" ] || die "$BUILD_DIR/bench/peers/$binary is not built (cmake --build $BUILD_DIR --target $binary)"
done

RUN="${1:-$(mktemp -d /tmp/tspeers-run-XXXXXX)}"
mkdir -p "$RUN"
STARTED_PIDS=()
stop_all() {
  bash "$PEERS/etcd_cluster.sh" stop "$RUN" || true
  [ ${#STARTED_PIDS[@]} -eq 0 ] && return 0
  kill -TERM "${STARTED_PIDS[@]}" 2>/dev/null || true
  local deadline=$(( $(date +%s) + STOP_TIMEOUT_S ))
  for pid in "${STARTED_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# ---- the peers ----------------------------------------------------------------------
REDIS_PORT=$(free_port) REDIS_REPLICA_PORT=$(free_port)
common=(--bind 127.0.0.1 --save '' --appendonly no --protected-mode no --daemonize no --dir "$RUN")
redis-server --port "$REDIS_PORT" "${common[@]}" --dbfilename master.rdb >"$RUN/redis-master.log" 2>&1 &
STARTED_PIDS+=("$!")
redis-server --port "$REDIS_REPLICA_PORT" "${common[@]}" --dbfilename replica.rdb --replicaof 127.0.0.1 "$REDIS_PORT" \
  >"$RUN/redis-replica.log" 2>&1 &
STARTED_PIDS+=("$!")
redis_linked() { redis-cli -p "$REDIS_REPLICA_PORT" info replication | grep -q "master_link_status:up"; }
wait_until "$READY_TIMEOUT_S" redis_linked || die "the Redis replica did not link up (logs: $RUN/redis-*.log)"
log "Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p'): master :$REDIS_PORT, replica :$REDIS_REPLICA_PORT"
"$BUILD_DIR/bench/peers/redis_wait_bench" --port "$REDIS_PORT" --preload --key-space "$KEY_SPACE" \
  --value-size "$VALUE_SIZE" --duration-s 0 >/dev/null

ETCD_ENDPOINTS=$(bash "$PEERS/etcd_cluster.sh" start "$RUN" --owner $$)
"$BUILD_DIR/bench/peers/etcd_bench" --endpoints "$ETCD_ENDPOINTS" --preload --key-space "$ETCD_KEY_SPACE" \
  --value-size "$VALUE_SIZE" --duration-s 0 >/dev/null

python3 -c 'import json,os,platform,time; print(json.dumps({"date_utc":time.strftime("%Y-%m-%d %H:%M UTC",time.gmtime()),"nproc":os.cpu_count(),"kernel":platform.release(),"loadavg":os.getloadavg()}))' \
  >"$RUN/machine.json"
log "work directory: $RUN; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- one measurement -> one line of raw.jsonl --------------------------------------
declare -A RATE  # redis-benchmark: last rate per workload/config, to size -n
measure() {  # SYSTEM WORKLOAD CONFIG ROUND
  local clients=${3%x*} depth=${3#*x} json=""
  local window=(--clients "$clients" --depth "$depth" --workload "$2" --duration-s "$DURATION_S" --warmup-s "$WARMUP_S"
                --value-size "$VALUE_SIZE" --timeout-ms "$DRIVER_TIMEOUT_MS" --json)
  log "round $4: $1 $2 ${clients}x${depth}"
  case "$1" in
    redis-wait) json=$("$BUILD_DIR/bench/peers/redis_wait_bench" --port "$REDIS_PORT" --key-space "$KEY_SPACE" "${window[@]}" 2>/dev/null) || true ;;
    redis-async-driver) json=$("$BUILD_DIR/bench/peers/redis_wait_bench" --port "$REDIS_PORT" --replicas 0 --key-space "$KEY_SPACE" "${window[@]}" 2>/dev/null) || true ;;
    etcd) json=$("$BUILD_DIR/bench/peers/etcd_bench" --endpoints "$ETCD_ENDPOINTS" --key-space "$ETCD_KEY_SPACE" "${window[@]}" 2>/dev/null) || true ;;
    redis-async)
      local test=set; [ "$2" = read ] && test=get
      local key="$2/$3"
      if [ -z "${RATE[$key]:-}" ]; then
        RATE[$key]=$(redis-benchmark -p "$REDIS_PORT" -c "$clients" -P "$depth" -n $(( clients * depth * 500 > 5000 ? clients * depth * 500 : 5000 )) \
          -r "$KEY_SPACE" -d "$VALUE_SIZE" -t "$test" --csv | python3 "$ROOT/bench/redis_csv.py" --rate)
      fi
      local requests; requests=$(python3 -c "import sys; print(max(1000, int(float(sys.argv[1]) * float(sys.argv[2]))))" "${RATE[$key]}" "$DURATION_S")
      json=$(redis-benchmark -p "$REDIS_PORT" -c "$clients" -P "$depth" -n "$requests" -r "$KEY_SPACE" -d "$VALUE_SIZE" -t "$test" \
        --precision 3 --csv | python3 "$ROOT/bench/redis_csv.py" --json --clients "$clients" --depth "$depth" --requests "$requests") || true
      local rate; rate=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["ops_per_s"])' 2>/dev/null) || true
      [ -n "$rate" ] && RATE[$key]=$rate ;;
    *) die "unknown system $1" ;;
  esac
  [ -n "$json" ] || json='{"ops_per_s": 0, "failed": true}'
  python3 -c 'import json,sys; d=json.loads(sys.argv[5]); d.update(system=sys.argv[1], workload=sys.argv[2], config=sys.argv[3], round=int(sys.argv[4])); print(json.dumps(d))' \
    "$1" "$2" "$3" "$4" "$json" >>"$RUN/raw.jsonl"
}

: >"$RUN/raw.jsonl"
for round in $(seq 1 "$ROUNDS"); do
  order=("${SYSTEMS[@]}")
  if [ $((round % 2)) = 0 ]; then order=(); for ((i=${#SYSTEMS[@]}-1; i>=0; i--)); do order+=("${SYSTEMS[$i]}"); done; fi
  for config in $CONFIGS; do
    for workload in write read; do
      for system in "${order[@]}"; do measure "$system" "$workload" "$config" "$round"; done
    done
  done
done
log "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RUN" <<'PY'
import json, statistics, sys
run = sys.argv[1]
raw = [json.loads(line) for line in open(f"{run}/raw.jsonl") if line.strip()]
machine = json.load(open(f"{run}/machine.json"))
print(f"peers, {machine['date_utc']}, {machine['nproc']} cores, load average at start {machine['loadavg'][0]:.1f}")
print("| workload | clients×depth | system | ops/s (mean) | ops/s by round | p50 µs | p99 µs | errors |")
print("|---|---|---|---:|---|---:|---:|---:|")
cells = {}
for m in raw:
    cells.setdefault((m["workload"], m["config"], m["system"]), []).append(m)
for (workload, config, system), ms in cells.items():
    ops = [m.get("ops_per_s", 0) or 0 for m in ms]
    lat = [m.get("latency_us") or {} for m in ms]
    p50 = [l["p50"] for l in lat if l.get("p50") is not None]
    p99 = [l["p99"] for l in lat if l.get("p99") is not None]
    errors = sum(m.get("errors", 0) or 0 for m in ms)
    print(f"| {workload} | {config} | {system} | {statistics.mean(ops):,.0f} | {' / '.join(f'{o:,.0f}' for o in ops)} | "
          f"{statistics.mean(p50) if p50 else 0:,.0f} | {statistics.mean(p99) if p99 else 0:,.0f} | {errors} |")
methods = {m["system"] + " " + m["workload"]: m["method"] for m in raw if m.get("method")}
for name, method in sorted(methods.items()):
    print(f"- {name}: {method}")
PY
