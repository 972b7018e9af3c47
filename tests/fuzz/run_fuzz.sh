#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang-14, AddressSanitizer + UBSan) and runs
# each for SECONDS (default 60) on a scratch copy of its checked-in seeds, one
# at a time; exits non-zero when any harness finds a crash, a leak, a hang
# (an input slower than TS_FUZZ_TIMEOUT) or an out-of-memory, or when a seed
# or a saved regression input fails on replay.
#
#   tests/fuzz/run_fuzz.sh [SECONDS] [HARNESS ...]     (default: every harness)
#
# SECONDS 0 is no time limit (then set TS_FUZZ_RUNS).
#
# Environment (all optional):
#   TS_FUZZ_BUILD_DIR  the build directory (default: build-fuzz in the repo)
#   TS_FUZZ_WORK_DIR   scratch corpora, logs, crash files (default: BUILD/fuzz-work);
#                      corpora grow across runs, TS_FUZZ_FRESH=1 starts over
#   TS_FUZZ_RUNS       stop each harness after this many executions as well
#   TS_FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (10)
#   TS_FUZZ_RSS_MB     memory limit per harness (2048)
#   TS_FUZZ_BUILD_JOBS build parallelism (2)
#   TS_FUZZ_FLAGS      extra libFuzzer flags, e.g. "-use_value_profile=1"
# clang-14 and libclang-rt-14-dev are installed with apt-get when missing and
# this runs as root; otherwise it says what to install.
set -euo pipefail

readonly kHarnesses=(fuzz_request fuzz_reply fuzz_cluster fuzz_pattern fuzz_snapshot fuzz_tsctl fuzz_wal)
readonly kClang=clang-14
readonly kClangxx=clang++-14

seconds=${1:-60}
shift || true
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
  echo "run_fuzz.sh: SECONDS must be a whole number, got '$seconds'" >&2
  exit 2
fi
harnesses=("$@")
[[ ${#harnesses[@]} -gt 0 ]] || harnesses=("${kHarnesses[@]}")
for harness in "${harnesses[@]}"; do
  if [[ " ${kHarnesses[*]} " != *" $harness "* ]]; then
    echo "run_fuzz.sh: no harness '$harness' (there are: ${kHarnesses[*]})" >&2
    exit 2
  fi
done

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$fuzz_dir/../.." && pwd)
build=${TS_FUZZ_BUILD_DIR:-$root/build-fuzz}
work=${TS_FUZZ_WORK_DIR:-$build/fuzz-work}
timeout_s=${TS_FUZZ_TIMEOUT:-10}
rss_mb=${TS_FUZZ_RSS_MB:-2048}
build_jobs=${TS_FUZZ_BUILD_JOBS:-2}

# Longest input each harness is given: past every limit it tests (a 4096-byte
# pattern, a client frame's fields), short enough to keep executions fast.
max_len_of() {
  case $1 in
    fuzz_tsctl) echo 4096 ;;
    *) echo 8192 ;;
  esac
}

ensure_clang() {
  local runtime=""
  if command -v "$kClangxx" >/dev/null; then
    runtime="$("$kClangxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a"
    [[ -f $runtime ]] && return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "run_fuzz.sh: needs $kClangxx and its libFuzzer runtime: apt-get install clang-14 libclang-rt-14-dev" >&2
    exit 1
  fi
  echo "run_fuzz.sh: installing clang-14 and libclang-rt-14-dev"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-14 libclang-rt-14-dev; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-14 libclang-rt-14-dev
  fi
}

configure_and_build() {
  if ! grep -qs '^TS_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
    local launcher=()
    if command -v ccache >/dev/null; then
      launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    fi
    mkdir -p "$build"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTS_FUZZ=ON \
      -DCMAKE_C_COMPILER="$kClang" -DCMAKE_CXX_COMPILER="$kClangxx" "${launcher[@]}" >"$build/configure.log" 2>&1 ||
      { cat "$build/configure.log" >&2; exit 1; }
  fi
  local targets=()
  for harness in "${harnesses[@]}"; do targets+=(--target "$harness"); done
  cmake --build "$build" -j"$build_jobs" "${targets[@]}"
}

# "N" from the last "stat::NAME: N" line of a log, "?" when absent.
stat_of() {
  local value
  value=$(grep -a "^stat::$2:" "$1" | tail -n 1 | awk '{print $2}')
  echo "${value:-?}"
}

# CPU seconds (user + system) this shell's finished children have used so
# far, from bash's `times` (run in this shell, not a subshell, whose own
# counts start at zero), into the variable named $1: the difference around
# one harness is that harness's own CPU time, which tells a slow harness
# from a loaded machine.
read_children_cpu_seconds() {
  local times_file="$work/.times"
  times >"$times_file"
  printf -v "$1" '%s' "$(tail -n 1 "$times_file" | awk '{
    total = 0
    for (i = 1; i <= 2; ++i) { split($i, part, "m"); sub("s", "", part[2]); total += part[1] * 60 + part[2] }
    printf "%.1f", total
  }')"
}

# The first figure of /proc/loadavg (the 1-minute load average), "?" elsewhere.
load_average() { cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo "?"; }

# The coverage counters of the last status line: "cov ft corp".
coverage_of() {
  local line
  line=$(grep -aE '^#[0-9]+.*cov: [0-9]+' "$1" | tail -n 1)
  if [[ -z $line ]]; then
    echo "? ? ?"
    return
  fi
  sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/\1 \2 \3/' <<<"$line"
}

ensure_clang
configure_and_build

[[ ${TS_FUZZ_FRESH:-0} == 1 ]] && rm -rf "$work"
mkdir -p "$work"
summary="$work/summary.txt"
# exec/cpu-s: executions per CPU second of the harness itself; with the
# machine to itself a harness runs at about that exec/s. load: the 1-minute
# load average at the start and at the end.
summary_format='%-14s %-8s %12s %9s %10s %7s %8s %7s %6s %7s %s\n'
# shellcheck disable=SC2059  # the format is a constant
printf "$summary_format" harness result execs exec/s exec/cpu-s cov features corpus secs cpu-s load >"$summary"
failed=()
for harness in "${harnesses[@]}"; do
  binary="$build/tests/fuzz/$harness"
  dir="$work/$harness"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -n "$fuzz_dir/corpus/$harness/"* "$dir/corpus/"
  log="$dir/fuzz.log"

  # Seeds and past findings first: a fixed bug must stay fixed.
  if ! "$fuzz_dir/replay.sh" "$binary" "$fuzz_dir/corpus/$harness" "$fuzz_dir/regressions/$harness" \
    >"$dir/replay.log" 2>&1; then
    echo "== $harness: a seed or regression input fails; see $dir/replay.log" >&2
    tail -n 30 "$dir/replay.log" >&2
    failed+=("$harness")
    # shellcheck disable=SC2059
    printf "$summary_format" "$harness" replay - - - - - - - - - >>"$summary"
    continue
  fi

  flags=(-max_total_time="$seconds" -timeout="$timeout_s" -rss_limit_mb="$rss_mb" -max_len="$(max_len_of "$harness")"
         -print_final_stats=1 -artifact_prefix="$dir/artifacts/")
  [[ -n ${TS_FUZZ_RUNS:-} ]] && flags+=(-runs="$TS_FUZZ_RUNS")
  [[ -f $fuzz_dir/dicts/$harness.dict ]] && flags+=(-dict="$fuzz_dir/dicts/$harness.dict")
  # shellcheck disable=SC2206  # TS_FUZZ_FLAGS is a list of flags
  [[ -n ${TS_FUZZ_FLAGS:-} ]] && flags+=($TS_FUZZ_FLAGS)
  limit="${seconds}s"
  [[ $seconds == 0 ]] && limit="no time limit"
  echo "== $harness: $limit${TS_FUZZ_RUNS:+, $TS_FUZZ_RUNS runs} (log: $log)"
  started=$SECONDS
  cpu_before=0 cpu_after=0
  read_children_cpu_seconds cpu_before
  load_before=$(load_average)
  status=0
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$binary" "${flags[@]}" "$dir/corpus" >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))
  read_children_cpu_seconds cpu_after
  cpu=$(awk -v after="$cpu_after" -v before="$cpu_before" 'BEGIN { printf "%.1f", after - before }')
  execs=$(stat_of "$log" number_of_executed_units)
  per_cpu_second=$(awk -v execs="$execs" -v cpu="$cpu" 'BEGIN { if (execs ~ /^[0-9]+$/ && cpu > 0) printf "%d", execs / cpu; else print "?" }')

  read -r cov features corpus <<<"$(coverage_of "$log")"
  result=ok
  if [[ $status -ne 0 ]]; then
    result=FAILED
    failed+=("$harness")
    echo "== $harness: finding (exit $status); the input is in $dir/artifacts/:" >&2
    grep -aE 'ERROR: |FUZZ_CHECK|runtime error|Test unit written to' "$log" | head -n 10 >&2 || true
  fi
  # shellcheck disable=SC2059
  printf "$summary_format" "$harness" "$result" "$execs" "$(stat_of "$log" average_exec_per_sec)" "$per_cpu_second" \
    "$cov" "$features" "$corpus" "$elapsed" "$cpu" "$load_before-$(load_average)" >>"$summary"
done

echo
cat "$summary"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run_fuzz.sh: findings in ${failed[*]} (docs/OPERATIONS.md, 'Fuzzing', says what to do with them)" >&2
  exit 1
fi
