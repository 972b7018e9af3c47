#include "common/metrics/request_metrics.h"


namespace ts::metrics {

std::string OpLabelOf(std::string_view op) {
  constexpr size_t kMaxOpLength = 16;
  if (op.empty() || op.size() > kMaxOpLength) return "OTHER";
  for (char c : op) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return "OTHER";
  }
  return std::string(op);
}

std::string RequestMetrics::OpLabel(std::string_view op) {
  std::string label = OpLabelOf(op);
  if (latency_.count(label) == 0 && latency_.size() >= RequestMetricsDefaults::kMaxOps) return "OTHER";
  return label;
}

void RequestMetrics::Started(std::string key, std::string_view op, MonotonicTime now) {
  if (waiting_.size() >= RequestMetricsDefaults::kMaxWaiting && waiting_.count(key) == 0) {
    ++untracked_;
    return;
  }
  std::string label = OpLabel(op);
  latency_.try_emplace(label);  // the op's histogram shows from its first request
  waiting_.try_emplace(std::move(key), Waiting{std::move(label), now});
}

void RequestMetrics::Finished(const std::string& key, std::string_view outcome, MonotonicTime now) {
  auto it = waiting_.find(key);
  if (it == waiting_.end()) {
    ++counts_[{"unknown", std::string(outcome)}];
    return;
  }
  ++counts_[{it->second.op, std::string(outcome)}];
  const MonotonicTime took = now > it->second.since ? now - it->second.since : MonotonicTime(0);
  latency_[it->second.op].Observe(std::chrono::duration<double>(took).count());
  waiting_.erase(it);
}

void RequestMetrics::Forget(MonotonicTime now) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (now - it->second.since > RequestMetricsDefaults::kForgetAfter) {
      it = waiting_.erase(it);
    } else {
      ++it;
    }
  }
}

uint64_t RequestMetrics::count(const std::string& op, const std::string& outcome) const {
  auto it = counts_.find({op, outcome});
  return it == counts_.end() ? 0 : it->second;
}

void RequestMetrics::Render(MetricsText& out, const std::string& prefix, std::string_view who) const {
  const std::string requests_help = "Requests " + std::string(who) + " answered, by op and outcome.";
  if (counts_.empty()) {
    // An empty family still names itself, so a dashboard finds it.
    out.Counter(prefix + "_requests_total", requests_help, 0, {{"op", "GET"}, {"outcome", "ok"}});
  }
  for (const auto& [key, value] : counts_) {
    out.Counter(prefix + "_requests_total", requests_help, static_cast<double>(value),
                {{"op", key.first}, {"outcome", key.second}});
  }
  for (const auto& [op, histogram] : latency_) {
    out.Histogram(prefix + "_request_duration_seconds",
                  "From a request's arrival to its reply leaving " + std::string(who) + ", by op.", histogram,
                  {{"op", op}});
  }
  out.Gauge(prefix + "_requests_waiting", "Requests arrived whose reply has not left yet.",
            static_cast<double>(waiting_.size()));
  out.Counter(prefix + "_requests_untracked_total", "Requests not timed: too many were waiting.",
              static_cast<double>(untracked_));
}

}  // namespace ts::metrics
