// ClusterLayout: the port layout from a base, the command lines of tsbroker
// and tsnode, the liveness rule, and its JSON form.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "launcher/cluster_layout.h"

using ts::launcher::ClusterLayout;
using ts::launcher::LayoutFromJson;
using ts::launcher::Millis;
using ts::launcher::ParseEndpoint;
using ts::launcher::PartId;
using ts::launcher::PortLayout;
using ts::launcher::ToJson;

namespace {

// The value after `flag` in `argv`, "" when the flag is absent.
std::string FlagValue(const std::vector<std::string>& argv, const std::string& flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

std::vector<std::string> FlagValues(const std::vector<std::string>& argv, const std::string& flag) {
  std::vector<std::string> values;
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag) values.push_back(argv[i + 1]);
  }
  return values;
}

ClusterLayout LauncherLike() {
  ClusterLayout layout = ClusterLayout::FromPortBase(5555, 3);
  layout.tsbroker = "/b/brokers/tsbroker";
  layout.tsnode = "/b/nodes/tsnode";
  layout.data_dir = "/d";
  layout.log_dir = "/d/logs";
  layout.node_data_dirs = true;  // as PlanStart: each node its own data directory
  return layout;
}

}  // namespace

TEST_CASE("layout: ports from a base are laid out as run.sh always did", "[launcher][layout]") {
  const ClusterLayout layout = ClusterLayout::FromPortBase(35000, 3);
  REQUIRE(layout.brokers.size() == 1);
  CHECK(layout.brokers[0].clients.Tcp() == "tcp://127.0.0.1:35000");
  CHECK(layout.brokers[0].nodes.Tcp() == "tcp://127.0.0.1:35001");
  CHECK(layout.brokers[0].shutdown.Tcp() == "tcp://127.0.0.1:35002");
  REQUIRE(layout.nodes.size() == 3);
  CHECK(layout.nodes[0].id == 1);
  CHECK(layout.nodes[0].bus.port == 35012);
  CHECK(layout.nodes[0].transfer.port == 35013);
  CHECK(layout.nodes[2].bus.port == 35016);
  CHECK(layout.nodes[2].transfer.port == 35017);
  CHECK(PortLayout::Span(3) == 113);  // node 3's metrics
  CHECK(layout.ListeningPorts().back() == std::pair<int, std::string>{35017, "node-3-transfer"});
  CHECK(layout.ListeningPorts().front() == std::pair<int, std::string>{35000, "broker-clients"});
  CHECK(layout.ListeningPorts().size() == 9);
}

TEST_CASE("layout: a pair of brokers: broker 2 at BASE+3..BASE+5, below the nodes, and each node names both",
          "[launcher][layout][pair]") {
  const ClusterLayout layout = ClusterLayout::FromPortBase(35000, 3, 2);
  REQUIRE(layout.brokers.size() == 2);
  CHECK(layout.brokers[1].id == 2);
  CHECK(layout.brokers[1].clients.port == 35003);
  CHECK(layout.brokers[1].nodes.port == 35004);
  CHECK(layout.brokers[1].shutdown.port == 35005);
  CHECK(layout.nodes[0].bus.port == 35012);  // the nodes' ports do not move
  CHECK(PortLayout::Span(3) == PortLayout::NodeMetrics(3));  // the metrics ports are the highest
  CHECK(layout.ListeningPorts().size() == 12);
  CHECK(layout.ListeningPorts()[3] == std::pair<int, std::string>{35003, "broker2-clients"});
  CHECK(layout.ClientEndpoints() == "tcp://127.0.0.1:35000,tcp://127.0.0.1:35003");
  CHECK(layout.ShutdownEndpoints() == "tcp://127.0.0.1:35002,tcp://127.0.0.1:35005");
  CHECK(FlagValue(layout.NodeArgv(1), "--broker") == "tcp://127.0.0.1:35001,tcp://127.0.0.1:35004");
  CHECK(FlagValue(layout.BrokerArgv(2), "--clients") == "tcp://127.0.0.1:35003");
  CHECK(FlagValue(layout.BrokerArgv(2), "--cluster-size") == "3");
  CHECK(layout.Argv(PartId::Broker(2)) == layout.BrokerArgv(2));
  CHECK(layout.BrokerArgv(3).empty());
  const std::vector<PartId> parts = layout.parts();
  REQUIRE(parts.size() == 5);
  CHECK(parts[0] == PartId::Broker(1));
  CHECK(parts[1] == PartId::Broker(2));
  CHECK(parts[1].Name() == "broker2");
  CHECK(parts[1].Word() == "broker2");
  CHECK(parts[1].Label() == "broker 2");
  CHECK(parts[0].Name() == "broker");
  CHECK(parts[2] == PartId::Node(1));
  // JSON keeps both, and still writes "broker" (broker 1) for older readers.
  const nlohmann::json json = ToJson(layout);
  CHECK(json.at("broker").at("clients") == "tcp://127.0.0.1:35000");
  auto back = LayoutFromJson(json);
  REQUIRE(back.ok());
  CHECK(back.value().ClientEndpoints() == layout.ClientEndpoints());
  CHECK(back.value().NodeArgv(2) == layout.NodeArgv(2));
  // A file from before the pair: one broker.
  nlohmann::json old = json;
  old.erase("brokers");
  auto single = LayoutFromJson(old);
  REQUIRE(single.ok());
  CHECK(single.value().broker_count() == 1);
  CHECK(single.value().ClientEndpoints() == "tcp://127.0.0.1:35000");
  // A list out of order is refused, naming the broker.
  nlohmann::json wrong = json;
  wrong["brokers"][1]["id"] = 5;
  auto refused = LayoutFromJson(wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("broker 2: its id is 5") != std::string::npos);
}

TEST_CASE("layout: metrics ports sit above the ZeroMQ ones, and every part gets --metrics", "[launcher][layout]") {
  const ClusterLayout layout = ClusterLayout::FromPortBase(35000, 3);
  const std::vector<std::pair<int, std::string>> expected = {
      {35100, "broker-metrics"}, {35111, "node-1-metrics"}, {35112, "node-2-metrics"}, {35113, "node-3-metrics"}};
  CHECK(layout.MetricsPorts() == expected);
  CHECK(FlagValue(layout.BrokerArgv(), "--metrics") == "127.0.0.1:35100");
  CHECK(FlagValue(layout.NodeArgv(2), "--metrics") == "127.0.0.1:35112");
  // No metrics port collides with a ZeroMQ one, for the largest cluster the launcher starts.
  const ClusterLayout largest = ClusterLayout::FromPortBase(20000, 20);
  std::set<int> ports;
  for (const auto& [port, what] : largest.ListeningPorts()) ports.insert(port);
  for (const auto& [port, what] : largest.MetricsPorts()) {
    INFO(what);
    CHECK(ports.insert(port).second);
    CHECK(port <= 20000 + PortLayout::Span(20));
  }
  // A layout written before metrics (no "metrics" fields) reads back without them.
  nlohmann::json old = ToJson(layout);
  for (nlohmann::json& broker : old["brokers"]) broker.erase("metrics");
  for (nlohmann::json& node : old["nodes"]) node.erase("metrics");
  ts::Result<ClusterLayout> read = LayoutFromJson(old);
  REQUIRE(read.ok());
  CHECK_FALSE(read.value().brokers.at(0).metrics.has_value());
  CHECK(FlagValue(read.value().BrokerArgv(), "--metrics").empty());
  // And one with them keeps them.
  ts::Result<ClusterLayout> kept = LayoutFromJson(ToJson(layout));
  REQUIRE(kept.ok());
  CHECK(kept.value().MetricsPorts() == expected);
}

TEST_CASE("layout: the broker's liveness is the nodes' heartbeat times their liveness", "[launcher][layout]") {
  ClusterLayout layout = LauncherLike();
  layout.heartbeat = Millis(100);
  layout.liveness = 3;
  CHECK(layout.LivenessWindow() == Millis(300));
  CHECK(FlagValue(layout.BrokerArgv(), "--primary-liveness-ms") == "300");
  layout.heartbeat = Millis(40);
  layout.liveness = 5;
  CHECK(FlagValue(layout.BrokerArgv(), "--primary-liveness-ms") == "200");
  const std::vector<std::string> node = layout.NodeArgv(2);
  CHECK(FlagValue(node, "--heartbeat-ms") == "40");
  CHECK(FlagValue(node, "--liveness") == "5");
}

TEST_CASE("layout: the broker's command line", "[launcher][layout]") {
  ClusterLayout layout = LauncherLike();
  CHECK(layout.BrokerArgv() == std::vector<std::string>{"/b/brokers/tsbroker", "--clients", "tcp://127.0.0.1:5555",
                                                         "--nodes", "tcp://127.0.0.1:5556", "--shutdown",
                                                         "tcp://127.0.0.1:5557", "--primary-liveness-ms", "300",
                                                         "--cluster-size", "3", "--metrics", "127.0.0.1:5655", "--insecure"});
  layout.max_clients = 64;
  layout.hold = Millis(1500);
  layout.client_idle = Millis(800);
  layout.log_level = "debug";
  const std::vector<std::string> argv = layout.BrokerArgv();
  CHECK(FlagValue(argv, "--max-clients") == "64");
  CHECK(FlagValue(argv, "--hold-ms") == "1500");
  CHECK(FlagValue(argv, "--client-idle-ms") == "800");
  CHECK(FlagValue(argv, "--log-level") == "debug");
  CHECK(layout.Argv(PartId::Broker()) == argv);
}

TEST_CASE("layout: with a keys folder every part gets --keys (the broker --clients-open when asked), without "
          "one --insecure", "[launcher][layout][security]") {
  ClusterLayout layout = LauncherLike();
  CHECK(layout.NodeArgv(1).back() == "--insecure");
  layout.keys_dir = "/d/keys";
  CHECK(FlagValue(layout.NodeArgv(1), "--keys") == "/d/keys");
  CHECK(FlagValue(layout.BrokerArgv(), "--keys") == "/d/keys");
  for (const auto& argv : {layout.NodeArgv(1), layout.BrokerArgv()}) {
    CHECK(std::find(argv.begin(), argv.end(), "--insecure") == argv.end());
    CHECK(std::find(argv.begin(), argv.end(), "--clients-open") == argv.end());
  }
  layout.clients_open = true;
  const std::vector<std::string> broker = layout.BrokerArgv();
  CHECK(std::find(broker.begin(), broker.end(), "--clients-open") != broker.end());
  auto back = LayoutFromJson(ToJson(layout));
  REQUIRE(back.ok());
  CHECK(back.value().keys_dir == layout.keys_dir);
  CHECK(back.value().BrokerArgv() == broker);
}

TEST_CASE("layout: a node's command line names its ports, every peer, its data directory, its export and an import",
          "[launcher][layout]") {
  ClusterLayout layout = LauncherLike();
  CHECK(layout.NodeArgv(2) ==
        std::vector<std::string>{"/b/nodes/tsnode", "--id", "2", "--bus", "tcp://127.0.0.1:5569", "--transfer",
                                 "tcp://127.0.0.1:5570", "--broker", "tcp://127.0.0.1:5556", "--heartbeat-ms", "100",
                                 "--liveness", "3", "--save", "/d/node-2.snapshot", "--data-dir",
                                 "/d/node-2.data", "--metrics", "127.0.0.1:5667", "--peer",
                                 "1,tcp://127.0.0.1:5567,tcp://127.0.0.1:5568", "--peer",
                                 "3,tcp://127.0.0.1:5571,tcp://127.0.0.1:5572", "--insecure"});
  CHECK(FlagValue(layout.NodeArgv(1, "/d/node-3.snapshot"), "--load") == "/d/node-3.snapshot");
  CHECK(FlagValue(layout.NodeArgv(1), "--load").empty());
  CHECK(FlagValue(layout.NodeArgv(1), "--sync").empty());  // tsnode's default: always
  layout.sync = "none";
  CHECK(FlagValue(layout.NodeArgv(1), "--sync") == "none");
  layout.node_data_dirs = false;  // in memory only: no data directory, no --sync
  CHECK(FlagValue(layout.NodeArgv(1), "--data-dir").empty());
  CHECK(FlagValue(layout.NodeArgv(1), "--sync").empty());

  layout.save_files = false;
  layout.min_acks = 2;
  layout.broker_timeout = Millis(30'000);
  const std::vector<std::string> argv = layout.NodeArgv(3);
  CHECK(FlagValue(argv, "--save").empty());
  CHECK(FlagValue(argv, "--min-acks") == "2");
  CHECK(FlagValue(argv, "--broker-timeout-ms") == "30000");
  CHECK(FlagValues(argv, "--peer").size() == 2);
  CHECK(layout.NodeArgv(4).empty());  // no such node
  CHECK(layout.Argv(PartId::Node(3)) == argv);
}

TEST_CASE("layout: on free ports every endpoint is a different port", "[launcher][layout]") {
  auto layout = ClusterLayout::OnFreePorts(3);
  REQUIRE(layout.ok());
  std::set<int> ports;
  for (const auto& [port, what] : layout.value().ListeningPorts()) ports.insert(port);
  CHECK(ports.size() == 9);
  CHECK(layout.value().port_base == 0);
}

TEST_CASE("layout: parts, their names and files", "[launcher][layout]") {
  const ClusterLayout layout = LauncherLike();
  CHECK(layout.parts() == std::vector<PartId>{PartId::Broker(), PartId::Node(1), PartId::Node(2), PartId::Node(3)});
  CHECK(PartId::Broker().Name() == "broker");
  CHECK(PartId::Node(2).Name() == "node-2");
  CHECK(PartId::Node(2).Label() == "node 2");
  CHECK(PartId::Node(2).Word() == "2");
  CHECK(PartId::Node(2).Binary() == "tsnode");
  CHECK(layout.LogPath(PartId::Node(2)) == "/d/logs/node-2.log");
  CHECK(layout.SavePath(2) == "/d/node-2.snapshot");
  CHECK(layout.NodeDataDir(2) == "/d/node-2.data");
}

TEST_CASE("layout: its JSON form reads back the same, and a bad one says what is wrong", "[launcher][layout]") {
  ClusterLayout layout = LauncherLike();
  layout.min_acks = 2;
  layout.hold = Millis(900);
  layout.log_level = "warn";
  layout.sync = "none";
  auto back = LayoutFromJson(ToJson(layout));
  REQUIRE(back.ok());
  CHECK(ToJson(back.value()) == ToJson(layout));
  CHECK(back.value().NodeArgv(1) == layout.NodeArgv(1));
  CHECK(back.value().BrokerArgv() == layout.BrokerArgv());

  nlohmann::json broken = ToJson(layout);
  broken["nodes"][1]["bus"] = "tcp://127.0.0.1:seventy";
  auto bad = LayoutFromJson(broken);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("node 2") && Catch::Contains("'bus'") && Catch::Contains("seventy"));

  broken = ToJson(layout);
  broken.erase("heartbeat_ms");
  bad = LayoutFromJson(broken);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("'heartbeat_ms' is missing"));

  broken = ToJson(layout);
  broken["nodes"][0]["id"] = 7;
  bad = LayoutFromJson(broken);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("numbered 1..N"));
}

TEST_CASE("layout: endpoints parse as tcp://HOST:PORT", "[launcher][layout]") {
  auto endpoint = ParseEndpoint("tcp://10.0.0.7:5555");
  REQUIRE(endpoint.ok());
  CHECK(endpoint.value().host == "10.0.0.7");
  CHECK(endpoint.value().port == 5555);
  CHECK_FALSE(ParseEndpoint("udp://1.2.3.4:5").ok());
  CHECK_FALSE(ParseEndpoint("tcp://1.2.3.4").ok());
  CHECK_FALSE(ParseEndpoint("tcp://1.2.3.4:0").ok());
  CHECK_FALSE(ParseEndpoint("tcp://1.2.3.4:70000").ok());
}
