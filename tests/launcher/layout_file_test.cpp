// The layout and the cluster file are one description (launcher/layout_file.h):
// a part started with --cluster FILE --id N gets exactly the flags the
// launcher's flag form gives it, the file reads back as the layout, and a
// layout for one host runs only that host's parts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/cluster_file/cluster_flags.h"
#include "launcher/cluster_layout.h"
#include "launcher/layout_file.h"

namespace {

using namespace ts::launcher;
namespace cf = ts::cluster_file;
using FlagSet = std::multiset<std::pair<std::string, std::string>>;

// argv after the binary, less --id and --load, as (flag, value) pairs ("" for a switch).
FlagSet ArgvFlags(const std::vector<std::string>& argv) {
  FlagSet flags;
  for (size_t i = 1; i < argv.size(); ++i) {
    const bool has_value = i + 1 < argv.size() && argv[i + 1].rfind("--", 0) != 0;
    const std::string value = has_value ? argv[i + 1] : "";
    if (argv[i] == "--broker") {  // a comma list is the same as the flag repeated
      for (size_t start = 0; start <= value.size();) {
        const size_t comma = std::min(value.find(',', start), value.size());
        flags.emplace(argv[i], value.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (argv[i] != "--id" && argv[i] != "--load") {
      flags.emplace(argv[i], value);
    }
    if (has_value) ++i;
  }
  return flags;
}

FlagSet FileFlags(const std::vector<cf::Flag>& flags) {
  FlagSet set;
  for (const cf::Flag& flag : flags) {
    if (flag.values.empty()) set.emplace(flag.name, "");
    for (const std::string& value : flag.values) set.emplace(flag.name, value);
  }
  return set;
}

ClusterLayout LauncherLikeLayout() {
  ClusterLayout layout = ClusterLayout::FromPortBase(35000, 3, 2);
  layout.data_dir = "/tmp/c";
  layout.node_data_dirs = true;
  layout.keys_dir = "/tmp/c/keys";
  layout.heartbeat = Millis(50);
  layout.liveness = 4;
  layout.min_acks = 2;
  layout.sync = "none";
  layout.max_clients = 64;
  layout.hold = Millis(700);
  layout.log_level = "debug";
  return layout;
}

}  // namespace

TEST_CASE("layout file: --cluster FILE --id N means the same flags as the launcher's flag form") {
  for (bool secure : {true, false}) {
    ClusterLayout layout = LauncherLikeLayout();
    if (!secure) layout.keys_dir.reset();
    const cf::ClusterFile file = ToClusterFile(layout);
    for (const NodeSpec& node : layout.nodes) {
      INFO("node " << node.id << (secure ? " keys" : " insecure"));
      auto flags = cf::NodeFlags(file, node.id);
      REQUIRE(flags.ok());
      CHECK(FileFlags(flags.value()) == ArgvFlags(layout.NodeArgv(node.id, "/x.snapshot")));
    }
    for (const BrokerSpec& broker : layout.brokers) {
      INFO("broker " << broker.id);
      auto flags = cf::BrokerFlags(file, broker.id);
      REQUIRE(flags.ok());
      CHECK(FileFlags(flags.value()) == ArgvFlags(layout.BrokerArgv(broker.id)));
    }
  }
  auto missing = cf::NodeFlags(ToClusterFile(LauncherLikeLayout()), 4);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message == "the cluster file has no node 4 (its nodes are 1..3)");
}

TEST_CASE("layout file: the file the launcher writes parses, and reads back as its layout") {
  ClusterLayout layout = LauncherLikeLayout();
  layout.nodes[2].host = "beta";
  auto parsed = cf::ParseClusterFile(cf::FormatClusterFile(ToClusterFile(layout)));
  REQUIRE(parsed.ok());
  CHECK(parsed.value().Hosts() == std::vector<std::string>{kLocalHost, "beta"});
  const ClusterLayout back = LayoutFromClusterFile(parsed.value());
  REQUIRE(back.node_count() == 3);
  REQUIRE(back.broker_count() == 2);
  CHECK(back.ClientEndpoints() == layout.ClientEndpoints());
  CHECK(back.NodeEndpoints() == layout.NodeEndpoints());
  CHECK(back.nodes[2].host == "beta");
  CHECK(back.NodeDataDir(2) == "/tmp/c/node-2.data");
  CHECK(back.SavePath(2) == "/tmp/c/node-2.snapshot");
  CHECK(back.heartbeat == Millis(50));
  CHECK(back.liveness == 4);
  CHECK(back.keys_dir == layout.keys_dir);
  CHECK(back.min_acks == layout.min_acks);
  CHECK(back.sync == layout.sync);
  // The flags it gives each part are the original layout's too.
  for (const NodeSpec& node : layout.nodes) CHECK(ArgvFlags(back.NodeArgv(node.id)) == ArgvFlags(layout.NodeArgv(node.id)));
}

TEST_CASE("layout file: with a cluster file every part starts from it") {
  ClusterLayout layout = LauncherLikeLayout();
  layout.tsnode = "/b/tsnode";
  layout.tsbroker = "/b/tsbroker";
  layout.cluster_file = "/tmp/c/cluster.json";
  CHECK(layout.NodeArgv(2) == std::vector<std::string>{"/b/tsnode", "--cluster", "/tmp/c/cluster.json", "--id", "2"});
  CHECK(layout.NodeArgv(1, "/e.snapshot") ==
        std::vector<std::string>{"/b/tsnode", "--cluster", "/tmp/c/cluster.json", "--id", "1", "--load", "/e.snapshot"});
  CHECK(layout.BrokerArgv(2) == std::vector<std::string>{"/b/tsbroker", "--cluster", "/tmp/c/cluster.json", "--id", "2"});
}

TEST_CASE("layout file: a layout for one host runs and listens only on that host's parts") {
  ClusterLayout layout = LauncherLikeLayout();
  layout.brokers[1].host = "b";
  layout.nodes[1].host = "b";
  layout.nodes[2].host = "b";
  CHECK(layout.parts().size() == 5);
  layout.local_host = "b";
  CHECK(layout.parts() == std::vector<PartId>{PartId::Broker(2), PartId::Node(2), PartId::Node(3)});
  CHECK(layout.all_parts().size() == 5);
  CHECK(layout.ListeningPorts().size() == 3 + 2 * 2);
  CHECK(layout.ListeningPorts().front().second == "broker2-clients");
  CHECK(layout.MetricsPorts().size() == 3);
  layout.local_host = kLocalHost;
  CHECK(layout.parts() == std::vector<PartId>{PartId::Broker(1), PartId::Node(1)});
  // The run state keeps the host and the file.
  layout.cluster_file = "/tmp/c/cluster.json";
  auto back = LayoutFromJson(ToJson(layout));
  REQUIRE(back.ok());
  CHECK(back.value().local_host == kLocalHost);
  CHECK(back.value().cluster_file == layout.cluster_file);
  CHECK(back.value().nodes[2].host == "b");
  CHECK(back.value().parts() == layout.parts());
}
