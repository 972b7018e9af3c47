// The cluster file: the documented example parses to what it says, a file
// round-trips through FormatClusterFile, and every kind of bad file is
// refused with the field and the entry named.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/cluster_file/cluster_file.h"
#include "common/cluster_file/cluster_flags.h"

namespace {

using namespace ts::cluster_file;
using ts::Result;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using nlohmann::json;

json SmallFile() {
  return json::parse(R"({
    "insecure": true,
    "brokers": [{"id": 1, "host": "a", "clients": "tcp://127.0.0.1:7000", "nodes": "tcp://127.0.0.1:7001",
                 "shutdown": "tcp://127.0.0.1:7002"}],
    "nodes": [{"id": 1, "host": "a", "bus": "tcp://127.0.0.1:7010", "transfer": "tcp://127.0.0.1:7011"},
              {"id": 2, "host": "b", "bus": "tcp://127.0.0.1:7012", "transfer": "tcp://127.0.0.1:7013"}]
  })");
}

// The error message of parsing `file`; fails the test when it parses.
std::string ErrorOf(const json& file) {
  Result<ClusterFile> parsed = ParseClusterFile(file.dump(), "c.json");
  REQUIRE_FALSE(parsed.ok());
  return parsed.error().message;
}

}  // namespace

TEST_CASE("cluster file: the documented three-host example parses to what it says") {
  const std::string path = std::string(TS_SOURCE_DIR) + "/docs/examples/cluster-3hosts.json";
  Result<ClusterFile> loaded = LoadClusterFile(path);
  REQUIRE(loaded.ok());
  const ClusterFile& file = loaded.value();
  CHECK(file.cluster_size() == 3);
  CHECK(file.brokers.size() == 2);
  CHECK(file.Hosts() == std::vector<std::string>{"alpha", "beta", "gamma"});
  CHECK(file.keys_dir == "/etc/tuplestar/keys");
  CHECK_FALSE(file.insecure);
  CHECK(file.ClientKeyBase() == "/etc/tuplestar/keys/clients/client");
  CHECK(file.timing.heartbeat == Millis(100));
  CHECK(file.timing.liveness == 3);
  CHECK(file.LivenessWindow() == Millis(300));
  CHECK(file.timing.broker_timeout == Millis(60'000));
  CHECK(file.timing.hold == Millis(5'000));
  CHECK(file.timing.min_acks == 1u);
  CHECK(file.timing.max_clients == 32u);
  CHECK(file.ClientEndpoints() == "tcp://10.0.0.1:5555,tcp://10.0.0.2:5555");
  CHECK(file.NodeEndpoints() == "tcp://10.0.0.1:5556,tcp://10.0.0.2:5556");
  CHECK(file.ShutdownEndpoints() == "tcp://10.0.0.1:5557,tcp://10.0.0.2:5557");
  REQUIRE(file.node(3) != nullptr);
  CHECK(file.node(3)->host == "gamma");
  CHECK(file.node(3)->bus == TcpEndpoint{"10.0.0.3", 5601});
  CHECK(file.node(3)->data_dir == "/var/lib/tuplestar/node-3.data");
  CHECK(file.node(3)->metrics->HostPort() == "10.0.0.3:9101");
  CHECK(file.node(4) == nullptr);
  CHECK(file.broker(2)->host == "beta");
}

TEST_CASE("cluster file: what FormatClusterFile writes reads back equal") {
  Result<ClusterFile> loaded = LoadClusterFile(std::string(TS_SOURCE_DIR) + "/docs/examples/cluster-3hosts.json");
  REQUIRE(loaded.ok());
  Result<ClusterFile> again = ParseClusterFile(FormatClusterFile(loaded.value()));
  REQUIRE(again.ok());
  CHECK(again.value() == loaded.value());

  Result<ClusterFile> small = ParseClusterFile(SmallFile().dump());
  REQUIRE(small.ok());
  CHECK(small.value().insecure);
  CHECK_FALSE(small.value().ClientKeyBase());
  CHECK_FALSE(small.value().LivenessWindow());  // unset: the binaries' defaults
  CHECK_FALSE(small.value().timing.heartbeat);
  Result<ClusterFile> small_again = ParseClusterFile(FormatClusterFile(small.value()));
  REQUIRE(small_again.ok());
  CHECK(small_again.value() == small.value());
}

TEST_CASE("cluster file: WriteClusterFile and LoadClusterFile go through the disk") {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("cluster-file-test-" + std::to_string(::getpid()) + ".json")).string();
  Result<ClusterFile> small = ParseClusterFile(SmallFile().dump());
  REQUIRE(small.ok());
  REQUIRE(WriteClusterFile(path, small.value()).ok());
  Result<ClusterFile> loaded = LoadClusterFile(path);
  std::filesystem::remove(path);
  REQUIRE(loaded.ok());
  CHECK(loaded.value() == small.value());
  Result<ClusterFile> missing = LoadClusterFile(path);
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().message, Equals("cannot read the cluster file " + path));
}

TEST_CASE("cluster file: an endpoint that is not tcp://HOST:PORT is named with its entry") {
  json file = SmallFile();
  file["nodes"][1]["bus"] = "udp://127.0.0.1:7012";
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[1].bus: 'udp://127.0.0.1:7012' is not a tcp:// endpoint (tcp://HOST:PORT)"));
  file = SmallFile();
  file["brokers"][0]["clients"] = "tcp://127.0.0.1:70000";
  CHECK_THAT(ErrorOf(file), Contains("brokers[0].clients: 'tcp://127.0.0.1:70000': the port '70000'"));
  file = SmallFile();
  file["brokers"][0]["nodes"] = "tcp://*:7001";
  CHECK_THAT(ErrorOf(file), Contains("brokers[0].nodes: 'tcp://*:7001': '*' is a wildcard"));
  file = SmallFile();
  file["nodes"][0]["transfer"] = 7011;
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[0].transfer: 7011 is not a non-empty string"));
}

TEST_CASE("cluster file: a missing field, a missing list and an unknown field are named") {
  json file = SmallFile();
  file["nodes"][0].erase("transfer");
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[0].transfer: missing (an endpoint tcp://HOST:PORT)"));
  file = SmallFile();
  file["brokers"][0].erase("host");
  CHECK_THAT(ErrorOf(file), Equals("c.json: brokers[0].host: missing"));
  file = SmallFile();
  file.erase("nodes");
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes: missing (a list of at least one entry)"));
  file = SmallFile();
  file["brokers"] = json::array();
  CHECK_THAT(ErrorOf(file), Equals("c.json: brokers: not a list of at least one entry"));
  file = SmallFile();
  file["nodes"][1]["bsu"] = "tcp://127.0.0.1:1";
  CHECK_THAT(ErrorOf(file), Contains("c.json: nodes[1].bsu: unknown field (known here: "));
  file = SmallFile();
  file["timeouts"] = {{"heartbeat", 100}};
  CHECK_THAT(ErrorOf(file), Contains("c.json: timeouts.heartbeat: unknown field"));
  file = SmallFile();
  file["heartbeat_ms"] = 100;
  CHECK_THAT(ErrorOf(file), Contains("c.json: heartbeat_ms: unknown field"));
  CHECK_THAT(ErrorOf(json::parse("[1]")), Equals("c.json: not a JSON object"));
  CHECK_THAT(ErrorOf(json("{")), Contains("c.json: not a JSON object"));
  Result<ClusterFile> not_json = ParseClusterFile("{\"nodes\": [", "c.json");
  REQUIRE_FALSE(not_json.ok());
  CHECK_THAT(not_json.error().message, Contains("c.json: not JSON: "));
}

TEST_CASE("cluster file: ids must count 1, 2, ... in the order listed") {
  json file = SmallFile();
  file["nodes"][1]["id"] = 3;
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[1].id: 3, but nodes are numbered 1, 2, ... in the order listed "
                                   "(this entry is nodes 2)"));
  file = SmallFile();
  file["brokers"][0]["id"] = 0;
  CHECK_THAT(ErrorOf(file), Contains("brokers[0].id: 0 is not a whole number from 1"));
  file = SmallFile();
  file["nodes"][0].erase("id");
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[0].id: missing"));
}

TEST_CASE("cluster file: out-of-range timeouts and unknown modes are refused") {
  json file = SmallFile();
  file["timeouts"] = {{"heartbeat_ms", 2}};
  CHECK_THAT(ErrorOf(file), Equals("c.json: timeouts.heartbeat_ms: 2 is not a whole number from 4 to 60000"));
  file = SmallFile();
  file["timeouts"] = {{"liveness", 1.5}};
  CHECK_THAT(ErrorOf(file), Contains("timeouts.liveness: 1.5 is not a whole number"));
  file = SmallFile();
  file["limits"] = {{"max_clients", 0}};
  CHECK_THAT(ErrorOf(file), Contains("limits.max_clients: 0 is not a whole number from 1"));
  file = SmallFile();
  file["sync"] = "sometimes";
  CHECK_THAT(ErrorOf(file), Equals("c.json: sync: 'sometimes' is not one of always, none"));
  file = SmallFile();
  file["log_level"] = "loud";
  CHECK_THAT(ErrorOf(file), Contains("log_level: 'loud' is not one of trace, debug, info"));
}

TEST_CASE("cluster file: security is keys_dir or insecure, never both nor neither") {
  json file = SmallFile();
  file.erase("insecure");
  CHECK_THAT(ErrorOf(file), Contains("c.json: keys_dir: missing (the cluster's keys folder"));
  file = SmallFile();
  file["keys_dir"] = "/k";
  CHECK_THAT(ErrorOf(file), Contains("keys_dir and \"insecure\": true are both given"));
  file = SmallFile();
  file["insecure"] = "yes";
  CHECK_THAT(ErrorOf(file), Equals("c.json: insecure: \"yes\" is not true or false"));
  file = SmallFile();
  file["clients_open"] = true;
  CHECK_THAT(ErrorOf(file), Contains("clients_open: needs keys_dir"));
}

TEST_CASE("cluster file: two parts on one endpoint, or two nodes of a host on one data dir, are refused") {
  json file = SmallFile();
  file["nodes"][1]["transfer"] = "tcp://127.0.0.1:7001";
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[1].transfer: tcp://127.0.0.1:7001 is also brokers[0].nodes"));
  file = SmallFile();
  file["nodes"][0]["metrics"] = "tcp://127.0.0.1:7010";
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[0].metrics: tcp://127.0.0.1:7010 is also nodes[0].bus"));
  file = SmallFile();
  file["nodes"][0]["data_dir"] = "/d";
  file["nodes"][1]["data_dir"] = "/d";
  CHECK(ParseClusterFile(file.dump()).ok());  // hosts a and b: two machines, two disks
  file["nodes"][1]["host"] = "a";
  CHECK_THAT(ErrorOf(file), Equals("c.json: nodes[1].data_dir: '/d' on host 'a' is also nodes[0].data_dir"));
}

TEST_CASE("cluster flags: the command line's own flags win, the file adds the rest, security goes as one") {
  const std::vector<ts::cluster_file::Flag> flags = {
      {"--bus", {"tcp://10.0.0.1:7000"}}, {"--peer", {"tcp://10.0.0.2:7000", "tcp://10.0.0.3:7000"}},
      {"--keys", {"/etc/ts/keys"}}, {"--heartbeat-ms", {"100"}}};
  const char* argv[] = {"tsnode", "--cluster", "c.json", "--id", "1", "--heartbeat-ms", "50", "--insecure"};
  const std::vector<std::string> typed = {"--heartbeat-ms", "--insecure"};
  auto given = [&](const std::string& name) { return std::find(typed.begin(), typed.end(), name) != typed.end(); };
  std::vector<std::string> words = ts::cluster_file::CommandLineWithFileFlags(8, argv, flags, given);
  std::reverse(words.begin(), words.end());  // back in reading order
  const std::vector<std::string> expected = {"--cluster", "c.json", "--id", "1", "--heartbeat-ms", "50", "--insecure",
                                             "--bus", "tcp://10.0.0.1:7000", "--peer", "tcp://10.0.0.2:7000",
                                             "--peer", "tcp://10.0.0.3:7000"};
  CHECK(words == expected);  // no file --keys beside a typed --insecure, no second --heartbeat-ms
}
