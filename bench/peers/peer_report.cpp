#include "bench/peers/peer_report.h"

#include <cmath>
#include <cstdio>

#include "bench/load_report.h"

namespace ts::bench::peers {
namespace {

double OpsPerSecond(const PeerLoadResult& result) {
  return result.measured_s > 0 ? static_cast<double>(result.tally.ops()) / result.measured_s : 0.0;
}

}  // namespace

nlohmann::json PeerResultJson(const PeerRunInfo& info, const PeerLoadResult& result) {
  const OpTally& tally = result.tally;
  nlohmann::json by_op = nlohmann::json::object();
  const std::string op = info.mix.substr(0, info.mix.find('='));
  if (tally.ops() > 0) {
    by_op[op] = {{"ops", tally.ops()}, {"missing", tally.missing()}, {"latency_us", LatencyJson(tally.latency())}};
  }
  return {{"tool", info.tool},
          {"system", info.system},
          {"target", info.target},
          {"workload", info.workload},
          {"method", info.method},
          {"settings", info.settings},
          {"clients", info.clients},
          {"depth", info.depth},
          {"mix", info.mix},
          {"key_space", info.key_space},
          {"value_size", info.value_size},
          {"warmup_s", info.warmup_s},
          {"duration_s", info.duration_s},
          {"max_requests", info.max_requests},
          {"requests_sent", result.requests_sent},
          {"stopped_by_cap", result.stopped_by_cap},
          {"measured_s", result.measured_s},
          {"ops", tally.ops()},
          {"ops_per_s", std::round(OpsPerSecond(result) * 10.0) / 10.0},
          {"latency_us", LatencyJson(tally.latency())},
          {"by_op", by_op},
          {"missing", tally.missing()},
          {"errors", tally.errors()},
          {"errors_by_kind", tally.errors_by_kind()}};
}

std::string PeerResultText(const PeerRunInfo& info, const PeerLoadResult& result) {
  const OpTally& tally = result.tally;
  char line[512];
  std::string text;
  std::snprintf(line, sizeof line, "%s %s: %d clients x %d in flight, %s, %.2f s measured%s\n", info.system.c_str(),
                info.workload.c_str(), info.clients, info.depth, info.mix.c_str(), result.measured_s,
                result.stopped_by_cap ? " (stopped by the request cap)" : "");
  text += line;
  std::snprintf(line, sizeof line, "%.0f ops/s (%llu ops, %llu missing); latency us: p50 %.1f  p99 %.1f  max %.1f; errors %llu\n",
                OpsPerSecond(result), static_cast<unsigned long long>(tally.ops()),
                static_cast<unsigned long long>(tally.missing()), tally.latency().Percentile(50) / 1000.0,
                tally.latency().Percentile(99) / 1000.0, tally.latency().max() / 1000.0,
                static_cast<unsigned long long>(tally.errors()));
  text += line;
  for (const auto& [kind, count] : tally.errors_by_kind()) {
    std::snprintf(line, sizeof line, "  error %s: %llu\n", kind.c_str(), static_cast<unsigned long long>(count));
    text += line;
  }
  text += "  method: " + info.method + "\n";
  return text;
}

}  // namespace ts::bench::peers
