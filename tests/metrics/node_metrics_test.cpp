// tsnode --metrics, run for real in a one-node cluster (broker + node with a
// durable log, both serving metrics as the launcher lays them out): promtool
// accepts both expositions, and the counters move as requests are served:
// requests by op and outcome, the latency histograms (node and broker), the
// log's fsyncs, the pairs and their bytes, the term and the role.
#include <catch2/catch.hpp>

#include "clients/client.h"
#include "launcher/cluster_layout.h"
#include "tests/metrics/scrape.h"

using namespace std::chrono_literals;
using namespace ts::testing;

namespace {

constexpr auto kStartTimeout = 20s;

// Scrapes `port` until `ready` holds for the text; the last text is in *text.
bool ScrapeUntil(int port, std::string* text, const std::function<bool(const std::string&)>& ready) {
  return WaitUntil(
      [&] {
        std::optional<std::string> scraped = Scrape(port);
        if (scraped) *text = *scraped;
        return scraped && ready(*scraped);
      },
      kStartTimeout);
}

}  // namespace

TEST_CASE("tsnode --metrics: promtool accepts it, and requests, latency, fsyncs and pairs move", "[metrics]") {
  TempDir dir;
  ts::Result<ts::launcher::ClusterLayout> laid_out = ts::launcher::ClusterLayout::OnFreePorts(1, /*broker_count=*/1, /*metrics=*/true);
  REQUIRE(laid_out.ok());
  ts::launcher::ClusterLayout layout = laid_out.value();
  layout.tsbroker = BinaryPath("brokers/tsbroker");
  layout.tsnode = BinaryPath("nodes/tsnode");
  layout.data_dir = dir.path().string();
  layout.log_dir = dir.path().string();
  layout.save_files = false;
  layout.node_data_dirs = true;
  layout.min_acks = 0;  // one node: no backup to wait for
  REQUIRE(layout.brokers.at(0).metrics);
  REQUIRE(layout.nodes[0].metrics);
  const int node_port = layout.nodes[0].metrics->port;
  const int broker_port = layout.brokers.at(0).metrics->port;

  std::vector<std::string> broker_argv = layout.BrokerArgv();
  ChildProcess broker(broker_argv[0], {broker_argv.begin() + 1, broker_argv.end()}, layout.LogPath({0}));
  std::vector<std::string> node_argv = layout.NodeArgv(1);
  ChildProcess node(node_argv[0], {node_argv.begin() + 1, node_argv.end()}, layout.LogPath({1}));

  std::string text;
  INFO("node log: " << ReadFile(layout.LogPath({1})));
  REQUIRE(ScrapeUntil(node_port, &text, [](const std::string& t) {
    return Sample(t, "tuplestar_tsnode_role{role=\"primary\"}") == 1.0;
  }));
  CHECK(Sample(text, "tuplestar_tsnode_term") >= 1.0);
  CHECK(Sample(text, "tuplestar_tsnode_pairs") == 0.0);
  CHECK(Sample(text, "tuplestar_tsnode_resident_memory_bytes") > 0.0);
  CHECK(Sample(text, "tuplestar_tsnode_zap_refused_total{reason=\"unknown_key\"}") == 0.0);
  const double fsyncs_before = Sample(text, "tuplestar_tsnode_fsyncs_total").value_or(-1);
  CHECK(fsyncs_before >= 0);

  ts::ClientOptions options;
  options.request_timeout = 5s;
  ts::Client client(layout.brokers.at(0).clients.Tcp(), options);
  ts::Result<ts::Reply> put = client.Call(ts::MakePut({ts::Pair{{"user", "1"}, {"ada"}}, ts::Pair{{"user", "2"}, {"bob"}}}));
  REQUIRE(put.ok());
  INFO((put.value().error ? put.value().error->message : std::string("no error")));
  REQUIRE(put.value().ok());
  ts::Result<ts::Reply> again = client.Call(ts::MakePut({ts::Pair{{"user", "1"}, {"eve"}}}));  // present: rejected
  REQUIRE(again.ok());
  REQUIRE(again.value().rejected.size() == 1);
  for (int i = 0; i < 3; ++i) {
    ts::Result<ts::Reply> get = client.Call(ts::MakeGet("user,.*", ".*"));
    REQUIRE(get.ok());
    REQUIRE(get.value().pairs.size() == 2);
  }

  REQUIRE(ScrapeUntil(node_port, &text, [](const std::string& t) {
    return Sample(t, "tuplestar_tsnode_requests_total{op=\"GET\",outcome=\"ok\"}") == 3.0;
  }));
  CHECK(Sample(text, "tuplestar_tsnode_requests_total{op=\"PUT\",outcome=\"ok\"}") == 1.0);
  CHECK(Sample(text, "tuplestar_tsnode_requests_total{op=\"PUT\",outcome=\"rejected\"}") == 1.0);
  CHECK(Sample(text, "tuplestar_tsnode_request_duration_seconds_count{op=\"GET\"}") == 3.0);
  CHECK(Sample(text, "tuplestar_tsnode_request_duration_seconds_bucket{op=\"GET\",le=\"+Inf\"}") == 3.0);
  CHECK(Sample(text, "tuplestar_tsnode_request_duration_seconds_sum{op=\"PUT\"}") > 0.0);
  CHECK(Sample(text, "tuplestar_tsnode_requests_waiting") == 0.0);
  CHECK(Sample(text, "tuplestar_tsnode_pairs") == 2.0);
  CHECK(Sample(text, "tuplestar_tsnode_pair_bytes") == 18.0);  // "user,1" + "ada", "user,2" + "bob"
  CHECK(Sample(text, "tuplestar_tsnode_fsyncs_total") > fsyncs_before);
  CHECK(Sample(text, "tuplestar_tsnode_applied_seq") >= 2.0);
  CHECK(Sample(text, "tuplestar_tsnode_log_records_total") > 0.0);
  RequirePromtoolAccepts(text, dir, "node");

  // The broker times the same requests, end to end through it.
  REQUIRE(ScrapeUntil(broker_port, &text, [](const std::string& t) {
    return Sample(t, "tuplestar_broker_request_duration_seconds_count{op=\"GET\"}") == 3.0;
  }));
  CHECK(Sample(text, "tuplestar_broker_requests_total{op=\"PUT\",outcome=\"ok\"}") == 1.0);
  CHECK(Sample(text, "tuplestar_broker_requests_total{op=\"PUT\",outcome=\"rejected\"}") == 1.0);
  RequirePromtoolAccepts(text, dir, "broker");
}
