// RequestMetrics (common/metrics/request_metrics.h): requests by op and
// outcome, a latency histogram per op, bounded op names and waiting requests.
#include <catch2/catch.hpp>

#include "common/metrics/request_metrics.h"

using namespace ts::metrics;
using std::chrono::milliseconds;

TEST_CASE("request metrics: a reply counts under its request's op with its latency", "[metrics]") {
  RequestMetrics requests;
  requests.Started("a", "PUT", milliseconds(10));
  requests.Started("b", "GET", milliseconds(11));
  requests.Started("a", "PUT", milliseconds(50));  // a retry: the first arrival counts
  CHECK(requests.waiting() == 2);
  requests.Finished("a", "ok", milliseconds(13));
  requests.Finished("b", "unavailable", milliseconds(2'011));
  requests.Finished("zzz", "ok", milliseconds(2'011));  // never seen
  CHECK(requests.waiting() == 0);
  CHECK(requests.count("PUT", "ok") == 1);
  CHECK(requests.count("GET", "unavailable") == 1);
  CHECK(requests.count("unknown", "ok") == 1);

  MetricsText out;
  requests.Render(out, "x", "x");
  const std::string& text = out.text();
  INFO(text);
  CHECK(text.find("x_requests_total{op=\"PUT\",outcome=\"ok\"} 1\n") != std::string::npos);
  // 3 ms: in the 5 ms bucket, not in the 2.5 ms one.
  CHECK(text.find("x_request_duration_seconds_bucket{op=\"PUT\",le=\"0.0025\"} 0\n") != std::string::npos);
  CHECK(text.find("x_request_duration_seconds_bucket{op=\"PUT\",le=\"0.005\"} 1\n") != std::string::npos);
  CHECK(text.find("x_request_duration_seconds_sum{op=\"GET\"} 2\n") != std::string::npos);
  CHECK(text.find("x_requests_waiting 0\n") != std::string::npos);
}

TEST_CASE("request metrics: op names are bounded, and so are waiting requests", "[metrics]") {
  CHECK(OpLabelOf("GET") == "GET");
  CHECK(OpLabelOf("get") == "OTHER");
  CHECK(OpLabelOf("A\"B") == "OTHER");
  CHECK(OpLabelOf(std::string(17, 'A')) == "OTHER");
  RequestMetrics requests;
  for (size_t i = 0; i < RequestMetricsDefaults::kMaxOps + 5; ++i) {
    requests.Started("k" + std::to_string(i), "OP" + std::to_string(i), milliseconds(0));
    requests.Finished("k" + std::to_string(i), "ok", milliseconds(1));
  }
  CHECK(requests.count("OP0", "ok") == 1);
  CHECK(requests.count("OTHER", "ok") == 5);

  RequestMetrics full;
  for (size_t i = 0; i < RequestMetricsDefaults::kMaxWaiting + 3; ++i) {
    full.Started(std::to_string(i), "GET", milliseconds(0));
  }
  CHECK(full.waiting() == RequestMetricsDefaults::kMaxWaiting);
  // A request whose reply never comes is forgotten after kForgetAfter.
  full.Forget(RequestMetricsDefaults::kForgetAfter + milliseconds(1));
  CHECK(full.waiting() == 0);
}
