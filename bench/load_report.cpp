#include "bench/load_report.h"

#include <cmath>
#include <cstdio>

namespace ts::bench {
namespace {

double Micros(uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000.0; }

double OpsPerSecond(const LoadResult& result) {
  return result.measured_s > 0 ? static_cast<double>(result.ops) / result.measured_s : 0.0;
}

}  // namespace

nlohmann::json LatencyJson(const LatencyHistogram& histogram) {
  return {{"count", histogram.count()},
          {"min", Micros(histogram.min())},
          {"mean", std::round(histogram.mean()) / 1000.0},
          {"p50", Micros(histogram.Percentile(50))},
          {"p90", Micros(histogram.Percentile(90))},
          {"p99", Micros(histogram.Percentile(99))},
          {"p999", Micros(histogram.Percentile(99.9))},
          {"max", Micros(histogram.max())}};
}

nlohmann::json LoadResultJson(const LoadOptions& options, const LoadResult& result) {
  nlohmann::json by_op = nlohmann::json::object();
  for (size_t k = 0; k < result.by_op.size(); ++k) {
    const OpFigures& op = result.by_op[k];
    if (op.ops == 0) continue;
    by_op[std::string(OpKindName(static_cast<OpKind>(k)))] = {
        {"ops", op.ops}, {"rejected_pairs", op.rejected}, {"latency_us", LatencyJson(op.latency)}};
  }
  nlohmann::json served = nlohmann::json::array();
  for (const auto& [node, term] : result.served_by_terms) served.push_back({{"node", node}, {"term", term}});
  return {{"tool", "tsbench"},
          {"broker", options.broker},
          {"clients", options.clients},
          {"depth", options.depth},
          {"mix", options.mix.ToString()},
          {"key_space", options.requests.key_space},
          {"value_size", options.requests.value_size},
          {"warmup_s", options.warmup_s},
          {"duration_s", options.duration_s},
          {"measured_s", result.measured_s},
          {"ops", result.ops},
          {"ops_per_s", std::round(OpsPerSecond(result) * 10.0) / 10.0},
          {"latency_us", LatencyJson(result.latency)},
          {"by_op", by_op},
          {"errors", result.errors},
          {"errors_by_kind", result.errors_by_kind},
          {"resent", result.resent},
          {"expired", result.expired},
          {"served_by", served}};
}

std::string LoadResultText(const LoadOptions& options, const LoadResult& result) {
  char line[512];
  std::string text;
  std::snprintf(line, sizeof line, "%d clients x %d in flight, mix %s, %.2f s measured\n", options.clients,
                options.depth, options.mix.ToString().c_str(), result.measured_s);
  text += line;
  std::snprintf(line, sizeof line,
                "%.0f ops/s (%llu ops); latency us: p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f; errors %llu\n",
                OpsPerSecond(result), static_cast<unsigned long long>(result.ops),
                Micros(result.latency.Percentile(50)), Micros(result.latency.Percentile(99)),
                Micros(result.latency.Percentile(99.9)), Micros(result.latency.max()),
                static_cast<unsigned long long>(result.errors));
  text += line;
  for (const auto& [kind, count] : result.errors_by_kind) {
    std::snprintf(line, sizeof line, "  error %s: %llu\n", kind.c_str(), static_cast<unsigned long long>(count));
    text += line;
  }
  if (result.served_by_terms.size() > 1) {
    text += "  note: replies came from " + std::to_string(result.served_by_terms.size()) +
            " (node, term) pairs: the primary changed during the run\n";
  }
  return text;
}

}  // namespace ts::bench
