// The built tsctl against a REAL cluster (tsbroker + tsnode processes on free
// ports, tests/integration/cluster_fixture.h): every command, in the readable
// and the --json form, with the exact text and JSON fields a user sees; the
// client limit as tsctl shows it; and shutdown through the broker, data saved.
// (An unreachable broker, exit 3, is covered by tests/client.)
#include <catch2/catch.hpp>

#include <thread>

#include <nlohmann/json.hpp>

#include "clients/client_config.h"
#include "nodes/space/space.h"
#include "tests/client/run_tool.h"
#include "tests/integration/cluster_fixture.h"

using namespace std::chrono_literals;
using ts::itest::Cluster;
using ts::itest::ClusterOptions;
using ts::testing::RunTool;
using ts::testing::ToolRun;
using ts::testing::WaitUntil;

namespace {

// A tsctl run that hangs is killed at this deadline and fails its check.
constexpr auto kToolDeadline = 30s;
// tsctl's own wait per attempt: well past the broker's hold time.
constexpr int kTsctlTimeoutMs = 8'000;

// A calm cluster: a node is declared dead only after 2 s of silence, so a
// loaded CI machine does not fail over in the middle of a test whose expected
// output names the primary and its term.
ClusterOptions CalmCluster() {
  ClusterOptions options;
  options.heartbeat = 100ms;
  options.liveness = 20;
  return options;
}

struct Tsctl {
  const Cluster& cluster;
  ToolRun operator()(std::vector<std::string> command, bool json = false, int timeout_ms = kTsctlTimeoutMs) const {
    std::vector<std::string> arguments = {"--broker", cluster.client_endpoint(), "--shutdown-endpoint",
                                          cluster.shutdown_endpoint(), "--timeout-ms",
                                          std::to_string(timeout_ms), "--retries", "0"};
    if (json) arguments.push_back("--json");
    arguments.insert(arguments.end(), command.begin(), command.end());
    return RunTool(ts::testing::BinaryPath("clients/tsctl"), arguments, kToolDeadline);
  }
};

// The single JSON object of a --json run, its keys checked in order.
nlohmann::ordered_json OneJsonObject(const ToolRun& run,
                                     const std::vector<std::string>& expected_keys = {"ok", "op", "pairs", "rejected",
                                                                                      "error", "served_by", "term"}) {
  INFO("stdout: " << run.out << "stderr: " << run.err);
  REQUIRE(!run.out.empty());
  REQUIRE(run.out.back() == '\n');
  REQUIRE(run.out.find('\n') == run.out.size() - 1);  // one line
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  REQUIRE(json.is_object());
  std::vector<std::string> keys;
  for (auto it = json.begin(); it != json.end(); ++it) keys.push_back(it.key());
  CHECK(keys == expected_keys);
  return json;
}

}  // namespace

TEST_CASE("tsctl on a real cluster: get, put, post, delete, readable and JSON", "[tsctl_cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  const std::optional<ts::itest::PrimaryView> primary = cluster.WaitForPrimary(ts::itest::kFailoverTimeout);
  REQUIRE(primary);
  const std::string by = " (node " + std::to_string(primary->id) + ", term " + std::to_string(primary->term) + ")";
  const std::string json_by =
      R"("served_by":)" + std::to_string(primary->id) + R"(,"term":)" + std::to_string(primary->term) + "}\n";
  Tsctl tsctl{cluster};

  ToolRun put = tsctl({"put", "user,1", "ann", "user,2", "bob"});
  CHECK(put.exit_code == 0);
  CHECK(put.out == "OK, every pair added" + by + "\n");
  CHECK(put.err.empty());

  // Every reason a pair is not added, readable then JSON.
  // Some pairs not added: the service answered but did not do all that was
  // asked, so exit 1 (issue 14: it was 0).
  ToolRun rejected = tsctl({"put", "user,1", "zed", "user,3", "cy", "user,3", "dup", "bad!", "x"});
  CHECK(rejected.exit_code == 1);
  CHECK(rejected.out ==
        "KEY     VALUE  NOT ADDED BECAUSE\n"
        "user,1  zed    key already present\n"
        "user,3  dup    key repeated in this request\n"
        "bad!    x      malformed key: each element is one or more ASCII letters or digits [A-Za-z0-9]; 'bad!' at "
        "element 1 is not\n"
        "3 pairs not added" + by + "\n");
  ToolRun rejected_json = tsctl({"put", "user,1", "zed", "user,4", "dee", "user,4", "dup"}, /*json=*/true);
  CHECK(rejected_json.exit_code == 1);
  CHECK(rejected_json.out ==
        R"({"ok":true,"op":"PUT","pairs":[],"rejected":[{"key":"user,1","value":"zed","reason":"key_present"},)"
        R"({"key":"user,4","value":"dup","reason":"repeated_in_request"}],"error":null,)" + json_by);
  OneJsonObject(rejected_json);

  ToolRun get = tsctl({"get", R"(user,\d+)", ".*"});
  CHECK(get.exit_code == 0);
  CHECK(get.out ==
        "KEY     VALUE\n"
        "user,1  ann\n"
        "user,2  bob\n"
        "user,3  cy\n"
        "user,4  dee\n"
        "4 pairs matched" + by + "\n");
  ToolRun get_json = tsctl({"get", R"(user,(?P<n>[12]))", "(?i)[A-Z]+"}, /*json=*/true);
  CHECK(get_json.exit_code == 0);
  CHECK(get_json.out ==
        R"({"ok":true,"op":"GET","pairs":[["user,1","ann"],["user,2","bob"]],"rejected":[],"error":null,)" +
            json_by);
  // Pages, through the broker and the primary: a limit, then --after the last key.
  ToolRun page = tsctl({"get", R"(user,\d+)", "--limit", "3"});
  CHECK(page.exit_code == 0);
  CHECK(page.out ==
        "KEY     VALUE\n"
        "user,1  ann\n"
        "user,2  bob\n"
        "user,3  cy\n"
        "3 pairs matched" + by + "\n"
        "more remain: the next page is --after user,3\n");
  ToolRun next_page = tsctl({"get", R"(user,\d+)", "--limit", "3", "--after", "user,3"}, /*json=*/true);
  CHECK(next_page.out == R"({"ok":true,"op":"GET","pairs":[["user,4","dee"]],"rejected":[],"error":null,)" + json_by);
  ToolRun tsv = tsctl({"--output", "tsv", "get", R"(user,[12])"});
  CHECK(tsv.exit_code == 0);
  CHECK(tsv.out == "user,1\tann\nuser,2\tbob\n");
  ToolRun none = tsctl({"get", "nobody", ".*"});
  CHECK(none.exit_code == 0);
  CHECK(none.out == "no pairs matched" + by + "\n");

  ToolRun post = tsctl({"post", "user,2", "bobby", "user,9", "nine"});
  CHECK(post.exit_code == 1);
  CHECK(post.out ==
        "KEY     VALUE  NOT UPDATED BECAUSE\n"
        "user,9  nine   key not present\n"
        "1 pair not updated" + by + "\n");
  ToolRun post_json = tsctl({"post", "user,1", "anne"}, /*json=*/true);
  CHECK(post_json.out == R"({"ok":true,"op":"POST","pairs":[],"rejected":[],"error":null,)" + json_by);

  ToolRun erase = tsctl({"delete", "user,[34]", ".*"});
  CHECK(erase.exit_code == 0);
  CHECK(erase.out ==
        "KEY     VALUE\n"
        "user,3  cy\n"
        "user,4  dee\n"
        "2 pairs deleted" + by + "\n");
  ToolRun erase_json = tsctl({"delete", "user,2", "bobby"}, /*json=*/true);
  CHECK(erase_json.out == R"({"ok":true,"op":"DELETE","pairs":[["user,2","bobby"]],"rejected":[],"error":null,)" +
                              json_by);

  // A tuple past the element-size limit (256 bytes) is not added, saying why.
  const std::string huge(300, 'x');
  const std::string why = "tuple too large: element 1 of the key is 300 bytes; the limit is 256 bytes per element";
  ToolRun too_large = tsctl({"put", huge, "1"}, /*json=*/true);
  CHECK(too_large.exit_code == 1);
  CHECK(too_large.out == R"({"ok":true,"op":"PUT","pairs":[],"rejected":[{"key":")" + huge +
                             R"(","value":"1","reason":"too_large","detail":")" + why + R"("}],"error":null,)" +
                             json_by);
  CHECK_THAT(tsctl({"put", huge, "1"}).out, Catch::EndsWith("... (300 bytes)  1      " + why + "\n1 pair not added" +
                                                            by + "\n"));

  // What is left, as the service holds it.
  ToolRun left = tsctl({"get", ".*", ".*"}, /*json=*/true);
  CHECK(left.out == R"({"ok":true,"op":"GET","pairs":[["user,1","anne"]],"rejected":[],"error":null,)" + json_by);
}

TEST_CASE("tsctl: the tuple limits it names are the space's own", "[tsctl_cluster]") {
  // A "too large" rejection does not carry the limits; tsctl states its copy.
  const ts::SpaceLimits limits;
  CHECK(ts::client_config::kSpaceMaxElementsPerTuple == limits.max_elements_per_tuple);
  CHECK(ts::client_config::kSpaceMaxElementBytes == limits.max_element_bytes);
}

TEST_CASE("tsctl on a real cluster: flags anywhere, ping, count, and rejections in words", "[tsctl_cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  const std::optional<ts::itest::PrimaryView> primary = cluster.WaitForPrimary(ts::itest::kFailoverTimeout);
  REQUIRE(primary);
  const std::string by = " (node " + std::to_string(primary->id) + ", term " + std::to_string(primary->term) + ")";
  Tsctl tsctl{cluster};
  REQUIRE(tsctl({"put", "user,1", "ann", "user,2", "bob", "item,1", "x"}).exit_code == 0);

  // issue 14: `get user,1 --json` took --json as the value pattern.
  ToolRun flag_after = tsctl({"get", "user,1", "--json"});
  CHECK(flag_after.exit_code == 0);
  CHECK(flag_after.out == R"({"ok":true,"op":"GET","pairs":[["user,1","ann"]],"rejected":[],"error":null,)"
                          R"("served_by":)" + std::to_string(primary->id) + R"(,"term":)" +
                              std::to_string(primary->term) + "}\n");

  // ping: a round trip through the broker and the primary, timed.
  ToolRun ping = tsctl({"ping"});
  CHECK(ping.exit_code == 0);
  CHECK_THAT(ping.out, Catch::Matches("pong from node " + std::to_string(primary->id) + " \\(primary, term " +
                                      std::to_string(primary->term) + "\\) in \\d+\\.\\d\\d ms\n"));
  nlohmann::ordered_json ping_json = nlohmann::ordered_json::parse(tsctl({"ping", "--json"}).out);
  CHECK(ping_json["ok"] == true);
  CHECK(ping_json["op"] == "PING");
  CHECK(ping_json["served_by"] == primary->id);
  CHECK(ping_json["rtt_ms"].get<double>() > 0);

  // count: a get, counted here.
  ToolRun count = tsctl({"count", "user,.*"});
  CHECK(count.exit_code == 0);
  CHECK(count.out == "2 pairs match" + by + "\n");
  CHECK(tsctl({"count", "nobody", "--json"}).out ==
        R"({"ok":true,"op":"COUNT","count":0,"error":null,"served_by":)" + std::to_string(primary->id) +
            R"(,"term":)" + std::to_string(primary->term) + "}\n");
  CHECK(tsctl({"count", "user,("}).exit_code == 1);  // a malformed pattern is the space's error

  // issue 14: `put 'ü,1' x` said only "malformed pair".
  ToolRun accented = tsctl({"put", "\xc3\xbc,1", "x"});
  CHECK(accented.exit_code == 1);
  CHECK(accented.out ==
        "KEY         VALUE  NOT ADDED BECAUSE\n"
        "\\xc3\\xbc,1  x      malformed key: each element is one or more ASCII letters or digits [A-Za-z0-9]; "
        "'\xc3\xbc' at element 1 is not\n"
        "1 pair not added" + by + "\n");

  // issue 14: a rejected 100 KB key printed 200 KB (the table padded to it).
  const std::string key(100000, 'k');
  ToolRun big = tsctl({"put", key, "1"});
  CHECK(big.exit_code == 1);
  CHECK(big.out.size() < 400);
  CHECK_THAT(big.out, Catch::StartsWith("KEY ") &&
                          Catch::Contains(std::string(64, 'k') + "... (100000 bytes)  1      tuple too large: "
                                                                 "element 1 of the key is 100000 bytes; the limit "
                                                                 "is 256 bytes per element\n"));
}

TEST_CASE("tsctl on a real cluster: malformed and unknown requests, status", "[tsctl_cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  const std::optional<ts::itest::PrimaryView> primary = cluster.WaitForPrimary(ts::itest::kFailoverTimeout);
  REQUIRE(primary);
  const std::string by = " (node " + std::to_string(primary->id) + ", term " + std::to_string(primary->term) + ")";
  Tsctl tsctl{cluster};

  {  // a malformed pattern: empty result and the reason, exit 1
    ToolRun bad = tsctl({"get", "user,(", ".*"});
    CHECK(bad.exit_code == 1);
    CHECK_THAT(bad.out, Catch::StartsWith("error: malformed pattern: "));
    CHECK_THAT(bad.out, Catch::EndsWith(by + "\n"));
    nlohmann::ordered_json json = OneJsonObject(tsctl({"delete", "(?P<x", ".*"}, /*json=*/true));
    CHECK(json["ok"] == false);
    CHECK(json["op"] == "DELETE");
    CHECK(json["pairs"] == nlohmann::ordered_json::array());
    CHECK(json["error"]["kind"] == "malformed_pattern");
    CHECK(!json["error"]["message"].get<std::string>().empty());
    CHECK(json["served_by"] == primary->id);
  }
  {  // a pattern that backtracks past the match limit fails that request only
    const std::string key(40, 'a');
    REQUIRE(tsctl({"put", key, "1"}).exit_code == 0);
    ToolRun costly = tsctl({"get", "(a|aa)+(?=b)", ".*"});
    CHECK(costly.exit_code == 1);
    CHECK(costly.out == "error: pattern too costly: key pattern '(a|aa)+(?=b)' hit the match limit on key '" + key +
                            "'" + by + "\n");
    nlohmann::ordered_json json = OneJsonObject(tsctl({"get", "(a|aa)+(?=b)", ".*"}, /*json=*/true));
    CHECK(json["error"]["kind"] == "pattern_too_costly");
    CHECK(tsctl({"get", key, ".*"}).exit_code == 0);  // the service goes on
  }
  {  // an unknown operation is not implemented, naming it
    ToolRun frob = tsctl({"send", "FROB", "a", "b"});
    CHECK(frob.exit_code == 1);
    CHECK_THAT(frob.out, Catch::StartsWith("error: not implemented: "));
    CHECK_THAT(frob.out, Catch::Contains("FROB"));
    nlohmann::ordered_json json = OneJsonObject(tsctl({"send", "frob"}, /*json=*/true));
    CHECK(json["ok"] == false);
    CHECK(json["op"] == "frob");
    CHECK(json["error"]["kind"] == "not_implemented");
    CHECK_THAT(json["error"]["message"].get<std::string>(), Catch::Contains("frob"));
  }
  {  // bytes that are not a request: malformed request, exit 1
    ToolRun raw = tsctl({"send-raw", "hello"});
    CHECK(raw.exit_code == 1);
    CHECK_THAT(raw.out, Catch::StartsWith("error: malformed request: "));
    nlohmann::ordered_json json = OneJsonObject(tsctl({"send-raw", "--hex", "00ff00ff"}, /*json=*/true));
    CHECK(json["ok"] == false);
    CHECK(json["error"]["kind"] == "malformed_request");
  }
  {  // a malformed pair list: the whole request is refused, saying where
    ToolRun raw = tsctl({"put-raw", "a", "1", "lonely"});
    CHECK(raw.exit_code == 1);
    CHECK_THAT(raw.out, Catch::StartsWith("error: malformed request: "));
    CHECK_THAT(raw.out, Catch::EndsWith("pair 2 of 2 has no value" + by + "\n"));
    nlohmann::ordered_json json = OneJsonObject(tsctl({"put-raw", "a", "1", "b"}, /*json=*/true));
    CHECK(json["op"] == "PUT");
    CHECK(json["error"]["kind"] == "malformed_request");
    CHECK_THAT(json["error"]["message"].get<std::string>(), Catch::EndsWith("pair 2 of 2 has no value"));
    // Nothing of the refused list was stored.
    CHECK(tsctl({"get", "a", ".*"}).out == "no pairs matched" + by + "\n");
  }
  {  // status shows the primary, the term and every node
    ToolRun status = tsctl({"status"});
    CHECK(status.exit_code == 0);
    CHECK_THAT(status.out, Catch::StartsWith("primary: node " + std::to_string(primary->id) + ", term " +
                                             std::to_string(primary->term) + "\nbroker: primary=" +
                                             std::to_string(primary->id) + "  term="));
    for (int id = 1; id <= 3; ++id) {
      CHECK_THAT(status.out, Catch::Contains("\n" + std::to_string(id) + "    "));
    }
    nlohmann::ordered_json json = OneJsonObject(
        tsctl({"status"}, /*json=*/true), {"ok", "op", "broker", "nodes", "events", "security", "error", "served_by", "term"});
    CHECK(json["ok"] == true);
    CHECK(json["op"] == "STATUS");
    CHECK(json["served_by"] == primary->id);
    CHECK(json["term"] == primary->term);
    CHECK(json["broker"]["primary"] == primary->id);
    CHECK(json["broker"]["primary_live"] == true);
    CHECK(json["broker"]["uptime_ms"].is_number());
    CHECK(json["broker"]["version"].is_string());
    REQUIRE(json["nodes"].size() == 3);
    for (int id = 1; id <= 3; ++id) {
      const nlohmann::ordered_json& node = json["nodes"][id - 1];
      CHECK(node["id"] == id);
      CHECK(node["role"] == (id == static_cast<int>(primary->id) ? "primary" : "backup"));
      CHECK(node["live"] == true);
      CHECK(node["applied"].is_number());
    }
  }
  {  // shutdown, JSON form: the broker's acknowledgement, then everyone exits
    nlohmann::ordered_json json = OneJsonObject(tsctl({"shutdown"}, /*json=*/true));
    CHECK(json["ok"] == true);
    CHECK(json["op"] == "SHUTDOWN");
    CHECK(json["error"].is_null());
    CHECK(cluster.broker().Wait(ts::itest::kProcessExitTimeout) == 0);
  }
}

TEST_CASE("tsctl on a real cluster: past the client limit, 'service refused' plainly, exit 1", "[tsctl_cluster]") {
  ClusterOptions options = CalmCluster();
  options.max_clients = 1;
  options.client_idle = 3000ms;
  Cluster cluster(options);
  REQUIRE(cluster.Start());  // its probe client's slot expires after the idle time
  Tsctl tsctl{cluster};

  // A first client takes the only slot and keeps it (it stays within the idle time).
  ts::Client first = cluster.NewClient();
  REQUIRE(WaitUntil(
      [&] {
        ts::Result<ts::Reply> reply = first.Get("x", ".*");
        return reply.ok() && reply.value().ok();
      },
      10s));

  ToolRun refused = tsctl({"get", "x", ".*"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.out == "error: service refused: the broker serves at most 1 client at a time\n");
  REQUIRE(first.Get("x", ".*").ok());  // keeps its slot busy
  const std::optional<ts::itest::ClusterView> view = cluster.Status();  // the broker's term
  REQUIRE(view);
  ToolRun refused_json = tsctl({"put", "k", "v"}, /*json=*/true);
  CHECK(refused_json.exit_code == 1);
  CHECK(refused_json.out ==
        R"({"ok":false,"op":"PUT","pairs":[],"rejected":[],"error":{"kind":"service_refused",)"
        R"("message":"the broker serves at most 1 client at a time"},"served_by":0,"term":)" +
            std::to_string(view->term) + "}\n");

  // When the first client goes quiet, its slot frees and tsctl gets in.
  CHECK(WaitUntil([&] { return tsctl({"get", "x", ".*"}).exit_code == 0; }, 15s));
}

TEST_CASE("tsctl on a real cluster: shutdown stops everything in order, data saved", "[tsctl_cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  Tsctl tsctl{cluster};
  REQUIRE(tsctl({"put", "saved,1", "yes", "saved,2", "too"}).exit_code == 0);

  ToolRun shutdown = tsctl({"shutdown"});
  CHECK(shutdown.exit_code == 0);
  CHECK(shutdown.out == "OK, shutdown acknowledged: the service saves its data and stops\n");
  CHECK(cluster.broker().Wait(ts::itest::kProcessExitTimeout) == 0);
  for (uint32_t id : cluster.node_ids()) {
    INFO("node " << id);
    CHECK(cluster.node(id).Wait(ts::itest::kProcessExitTimeout) == 0);
    ts::Result<std::map<std::string, std::string>> saved = ts::itest::ReadSnapshot(cluster.save_path(id));
    REQUIRE(saved.ok());
    CHECK(saved.value() == std::map<std::string, std::string>{{"saved,1", "yes"}, {"saved,2", "too"}});
  }
}

TEST_CASE("tsctl on a real cluster: a primary without a majority steps down, the service is unavailable", "[tsctl_cluster]") {
  ClusterOptions options;  // the default 300 ms liveness: failures are seen quickly
  options.hold = 500ms;
  Cluster cluster(options);
  REQUIRE(cluster.Start());
  const std::optional<ts::itest::PrimaryView> primary = cluster.WaitForPrimary(ts::itest::kFailoverTimeout);
  REQUIRE(primary);
  Tsctl tsctl{cluster};
  for (uint32_t id : cluster.node_ids()) {
    if (id != primary->id) cluster.Kill(id);
  }
  // Once the failures are seen (the broker's view, like the primary's, has a
  // 300 ms liveness window) ...
  REQUIRE(WaitUntil(
      [&] {
        std::optional<ts::itest::ClusterView> view = cluster.Status();
        if (!view) return false;
        for (const auto& [id, node] : view->nodes) {
          if (id != primary->id && node.live()) return false;
        }
        return true;
      },
      15s));
  // ... the primary hears no majority: its lease runs out and it steps down
  // (a lone node serves nothing, reads included); the broker holds a
  // request, then answers "unavailable": exit 3.
  ToolRun unavailable;
  CHECK(WaitUntil(
      [&] {
        unavailable = tsctl({"get", ".*", ".*"});
        return unavailable.exit_code == 3;
      },
      15s));
  CHECK(unavailable.out == "error: service unavailable: no primary for 500 ms (failover under way?)\n");
  nlohmann::ordered_json json = OneJsonObject(tsctl({"post", "alone", "2"}, /*json=*/true));
  CHECK(json["ok"] == false);
  CHECK(json["error"]["kind"] == "unavailable");
  CHECK(json["served_by"] == 0);
}

TEST_CASE("tsctl on a real cluster: take, get --wait and watch, with their exit codes", "[tsctl_cluster]") {
  Cluster cluster(CalmCluster());
  REQUIRE(cluster.Start());
  const std::optional<ts::itest::PrimaryView> primary = cluster.WaitForPrimary(ts::itest::kFailoverTimeout);
  REQUIRE(primary);
  const std::string by = " (node " + std::to_string(primary->id) + ", term " + std::to_string(primary->term) + ")";
  Tsctl tsctl{cluster};
  REQUIRE(tsctl({"put", "job,2", "test", "job,1", "build"}).exit_code == 0);

  ToolRun take = tsctl({"take", "job,.*"});
  CHECK(take.exit_code == 0);
  CHECK(take.out == "KEY    VALUE\njob,1  build\n1 pair taken" + by + "\n");
  ToolRun take_json = tsctl({"take", "job,.*", "--json"});
  CHECK(take_json.out == R"({"ok":true,"op":"TAKE","pairs":[["job,2","test"]],"rejected":[],"error":null,)"
                         R"("served_by":)" + std::to_string(primary->id) + R"(,"term":)" +
                             std::to_string(primary->term) + "}\n");
  // Nothing to take, after the wait: exit 1, saying so.
  ToolRun nothing = tsctl({"take", "job,.*", "--wait", "300"});
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.out == "no pair matched, nothing taken" + by + "\n");
  ToolRun usage = tsctl({"take", "job,.*", "--wait", "forever"});
  CHECK(usage.exit_code == 2);
  CHECK_THAT(usage.err, Catch::Contains("--wait must be a whole number of milliseconds"));

  // get --wait and take --wait are answered by a put made while they wait.
  ToolRun waited_get;
  ToolRun waited_take;
  std::thread getter([&] { waited_get = tsctl({"get", "later,1", "--wait", "20000"}); });
  std::thread taker([&] { waited_take = tsctl({"take", "later,.*", "--wait", "20000"}); });
  // Both are held at the primary before the put (its status counts them).
  std::this_thread::sleep_for(500ms);  // not a check: a put that comes first is found at once, just as well
  REQUIRE(tsctl({"put", "later,1", "x"}).exit_code == 0);
  getter.join();
  taker.join();
  CHECK(waited_take.exit_code == 0);
  CHECK(waited_take.out == "KEY      VALUE\nlater,1  x\n1 pair taken" + by + "\n");
  // The get saw the pair, or (answered after the take) nothing: both are right.
  CHECK((waited_get.exit_code == 0));

  // Every change from the first write on, one line each: SEQ OP KEY VALUE.
  ToolRun history = tsctl({"watch", "job,.*", "--from", "1", "--count", "4"});
  CHECK(history.exit_code == 0);
  CHECK_THAT(history.out, Catch::Matches("(\\d+) PUT job,2 test\n\\1 PUT job,1 build\n\\d+ TAKE job,1 build\n"
                                         "\\d+ TAKE job,2 test\n"));
  const uint64_t last_seq = std::stoull(history.out.substr(history.out.rfind('\n', history.out.size() - 2) + 1));
  // Resumed after the last one seen, it waits for the next change.
  ToolRun next;
  std::thread watcher([&] {
    next = tsctl({"--output", "tsv", "watch", "job,.*", "--from", std::to_string(last_seq), "--count", "1"});
  });
  REQUIRE(tsctl({"put", "job,3", "deploy"}).exit_code == 0);
  watcher.join();
  CHECK(next.exit_code == 0);
  CHECK_THAT(next.out, Catch::Matches("\\d+\tPUT\tjob,3\tdeploy\n"));
  // --for ends a watch that sees nothing, exit 0.
  ToolRun quiet = tsctl({"watch", "none,.*", "--for", "300"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
}
