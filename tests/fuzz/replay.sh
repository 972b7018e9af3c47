#!/usr/bin/env bash
# Runs every input file under the given directories once through a libFuzzer
# harness (no fuzzing): the seeds and past crash inputs must all pass.
#   tests/fuzz/replay.sh HARNESS DIR...
set -euo pipefail
harness=$1
shift
inputs=()
for dir in "$@"; do
  [[ -d $dir ]] || continue
  while IFS= read -r -d '' file; do inputs+=("$file"); done < <(find "$dir" -type f ! -name '.*' -print0 | sort -z)
done
if [[ ${#inputs[@]} -eq 0 ]]; then
  echo "replay: no inputs under $*" >&2
  exit 1
fi
exec "$harness" -rss_limit_mb=2048 -timeout=10 "${inputs[@]}"
