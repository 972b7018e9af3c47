// The Prometheus text format as written by common/metrics, and the HTTP
// server that serves it, on a real socket.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "common/metrics/metrics_server.h"
#include "common/metrics/metrics_text.h"

namespace ts::metrics {
namespace {

TEST_CASE("metrics text: families with HELP and TYPE once, labels escaped, numbers plain", "[metrics]") {
  MetricsText out;
  out.Counter("ts_requests_total", "Requests.\nSecond line", 12);
  out.Gauge("ts_node_live", "Live or not.", 1, {{"node", "1"}});
  out.Gauge("ts_node_live", "Live or not.", 0, {{"node", "a\"b\\c"}});
  out.Gauge("ts_ratio", "A fraction.", 0.125);
  CHECK(out.text() ==
        "# HELP ts_requests_total Requests.\\nSecond line\n"
        "# TYPE ts_requests_total counter\n"
        "ts_requests_total 12\n"
        "# HELP ts_node_live Live or not.\n"
        "# TYPE ts_node_live gauge\n"
        "ts_node_live{node=\"1\"} 1\n"
        "ts_node_live{node=\"a\\\"b\\\\c\"} 0\n"
        "# HELP ts_ratio A fraction.\n"
        "# TYPE ts_ratio gauge\n"
        "ts_ratio 0.125\n");
  // A family split in two places, or a bad name, is a programming error.
  CHECK_THROWS_AS(out.Counter("ts_requests_total", "again", 1), std::logic_error);
  CHECK_THROWS_AS(out.Gauge("9lives", "bad", 1), std::logic_error);
  CHECK_THROWS_AS(out.Gauge("ts_x", "bad label", 1, {{"no-dash", "v"}}), std::logic_error);
}

TEST_CASE("metrics text: a histogram has cumulative buckets up to +Inf, a sum and a count", "[metrics]") {
  LatencyHistogram histogram;
  histogram.Observe(0.0002);  // first bucket
  histogram.Observe(0.0008);  // le 0.001
  histogram.Observe(0.001);   // le 0.001: the bound is inclusive
  histogram.Observe(60);      // above every bucket
  MetricsText out;
  out.Histogram("ts_seconds", "Latency.", histogram, {{"op", "GET"}});
  const std::string& text = out.text();
  CHECK_THAT(text, Catch::Contains("# TYPE ts_seconds histogram\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_bucket{op=\"GET\",le=\"0.00025\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_bucket{op=\"GET\",le=\"0.0005\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_bucket{op=\"GET\",le=\"0.001\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_bucket{op=\"GET\",le=\"5\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_bucket{op=\"GET\",le=\"+Inf\"} 4\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_sum{op=\"GET\"} 60.002\n"));
  CHECK_THAT(text, Catch::Contains("ts_seconds_count{op=\"GET\"} 4\n"));
}

TEST_CASE("metrics server: GET /metrics answers the last published text, other paths 404", "[metrics]") {
  Result<std::unique_ptr<MetricsServer>> started = MetricsServer::Start("127.0.0.1:0");
  REQUIRE(started.ok());
  MetricsServer& server = *started.value();
  REQUIRE(server.port() > 0);
  httplib::Client client("127.0.0.1", server.port());
  client.set_connection_timeout(2);
  client.set_read_timeout(2);
  server.Publish("ts_up 1\n");
  httplib::Result first = client.Get("/metrics");
  REQUIRE(first);
  CHECK(first->status == 200);
  CHECK(first->body == "ts_up 1\n");
  CHECK_THAT(first->get_header_value("Content-Type"), Catch::StartsWith("text/plain; version=0.0.4"));
  server.Publish("ts_up 2\n");
  httplib::Result second = client.Get("/metrics");
  REQUIRE(second);
  CHECK(second->body == "ts_up 2\n");
  httplib::Result other = client.Get("/other");
  REQUIRE(other);
  CHECK(other->status == 404);
}

TEST_CASE("metrics server: a bad or busy endpoint is refused, naming it", "[metrics]") {
  CHECK(MetricsServer::Start("9100").error().message ==
        "metrics endpoint '9100': no HOST:PORT (HOST:PORT, e.g. 127.0.0.1:9100)");
  CHECK_THAT(MetricsServer::Start("127.0.0.1:http").error().message, Catch::Contains("the port is not a number"));
  CHECK_THAT(MetricsServer::Start("127.0.0.1:70000").error().message, Catch::Contains("out of range"));
  Result<std::unique_ptr<MetricsServer>> first = MetricsServer::Start("127.0.0.1:0");
  REQUIRE(first.ok());
  Result<std::unique_ptr<MetricsServer>> second =
      MetricsServer::Start("127.0.0.1:" + std::to_string(first.value()->port()));
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message, Catch::Contains("cannot listen on the metrics endpoint 127.0.0.1:"));
}

}  // namespace
}  // namespace ts::metrics
