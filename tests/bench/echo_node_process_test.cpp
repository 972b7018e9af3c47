// echo_node and tsbench as processes behind a real tsbroker: the ceiling
// registers, answers pipelined requests, and tsbench reports a JSON result.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "clients/pipelined_client.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::testing::ChildProcess;
using ts::testing::FreeTcpPort;
using ts::testing::LoopbackEndpoint;
using ts::testing::TempDir;

namespace {

struct EchoCluster {
  TempDir dir;
  int client_port = FreeTcpPort();
  int node_port = FreeTcpPort();
  int shutdown_port = FreeTcpPort();
  ChildProcess broker{std::string(TS_BINARY_DIR) + "/brokers/tsbroker",
                      {"--clients", LoopbackEndpoint(client_port), "--nodes", LoopbackEndpoint(node_port),
                       "--shutdown", LoopbackEndpoint(shutdown_port), "--insecure", "--cluster-size", "1"},
                      dir / "broker.log"};
  ChildProcess echo{std::string(TS_BINARY_DIR) + "/bench/echo_node",
                    {"--broker", LoopbackEndpoint(node_port), "--id", "3"},
                    dir / "echo.log"};
};

}  // namespace

TEST_CASE("echo_node answers pipelined requests through a real tsbroker", "[bench][process]") {
  EchoCluster cluster;
  ts::PipelineOptions options;
  options.request_timeout = 5000ms;  // the broker holds requests until echo_node registers
  options.max_in_flight = 50;
  ts::PipelinedClient client(LoopbackEndpoint(cluster.client_port), options);
  std::vector<ts::Request> requests;
  for (int i = 0; i < 200; ++i) requests.push_back(ts::MakeGet("k" + std::to_string(i), ".*"));
  std::vector<ts::Result<ts::Reply>> replies = client.CallAll(std::move(requests));
  for (size_t i = 0; i < replies.size(); ++i) {
    INFO("request " << i << ": " << (replies[i].ok() ? "" : replies[i].error().message));
    REQUIRE(replies[i].ok());
    CHECK(replies[i].value().ok());
    CHECK(replies[i].value().served_by == 3);
    CHECK(replies[i].value().op_name == "GET");
  }
}

TEST_CASE("tsbench measures echo_node and prints its figures as JSON", "[bench][process]") {
  EchoCluster cluster;
  TempDir out;
  ChildProcess bench(std::string(TS_BINARY_DIR) + "/bench/tsbench",
                     {"--broker", LoopbackEndpoint(cluster.client_port), "--clients", "2", "--depth", "4",
                      "--duration-s", "0.5", "--warmup-s", "0.2", "--mix", "put-new=1,get=1", "--json",
                      "--progress-s", "0", "--timeout-ms", "5000"},
                     out / "tsbench.out");
  const std::optional<int> exit_code = bench.Wait(60s);
  INFO(bench.log());
  REQUIRE(exit_code.has_value());
  REQUIRE(*exit_code == 0);
  const std::string text = ts::testing::ReadFile(out / "tsbench.out");
  const size_t brace = text.find('{');
  REQUIRE(brace != std::string::npos);
  nlohmann::json result = nlohmann::json::parse(text.substr(brace, text.find('\n', brace) - brace));
  CHECK(result["clients"] == 2);
  CHECK(result["depth"] == 4);
  CHECK(result["ops"].get<uint64_t>() > 0);
  CHECK(result["errors"] == 0);
  CHECK(result["ops_per_s"].get<double>() > 0);
  CHECK(result["latency_us"]["p50"].get<double>() > 0);
  CHECK(result["latency_us"]["p99"].get<double>() >= result["latency_us"]["p50"].get<double>());
  CHECK(result["by_op"].contains("put-new"));
  CHECK(result["by_op"].contains("get"));
  CHECK(result["served_by"][0]["node"] == 3);
}

TEST_CASE("tsbench refuses a bad mix with a clear message", "[bench][process]") {
  TempDir out;
  ChildProcess bench(std::string(TS_BINARY_DIR) + "/bench/tsbench", {"--mix", "fetch=1"}, out / "tsbench.out");
  const std::optional<int> exit_code = bench.Wait(30s);
  REQUIRE(exit_code.has_value());
  CHECK(*exit_code == 2);
  CHECK_THAT(ts::testing::ReadFile(out / "tsbench.out"), Catch::Contains("unknown operation \"fetch\""));
}
