// tsbench's output: a LoadResult as JSON (for scripts: bench/run_bench.sh
// reads it) and as a few readable lines. Latencies are reported in
// microseconds, with three decimals.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bench/load_run.h"

namespace ts::bench {

nlohmann::json LatencyJson(const LatencyHistogram& histogram);
nlohmann::json LoadResultJson(const LoadOptions& options, const LoadResult& result);
std::string LoadResultText(const LoadOptions& options, const LoadResult& result);

}  // namespace ts::bench
