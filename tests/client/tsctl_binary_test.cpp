// The built tsctl binary: usage errors (exit 2), an unreachable broker
// (exit 3, clear message on stderr, bounded time: refused within 3 s), flags
// anywhere, every exit status, and one-shot and piped prompt use against a
// real ZeroMQ ROUTER playing the broker.
#include <catch2/catch.hpp>

#include "common/version.h"
#include "schema/codec.h"
#include "tests/client/fake_broker.h"
#include "tests/client/run_tool.h"

using namespace std::chrono_literals;
using ts::testing::RunTool;
using ts::testing::ToolRun;

namespace {

// Generous: a tsctl run that hangs is killed here and fails the test.
constexpr auto kToolDeadline = 20s;

const std::string& Tsctl() {
  static const std::string path = ts::testing::BinaryPath("clients/tsctl");
  return path;
}

ToolRun RunTsctl(std::vector<std::string> arguments, const std::string& stdin_text = "") {
  return RunTool(Tsctl(), std::move(arguments), kToolDeadline, stdin_text);
}

std::optional<std::string> Answer(const std::string& body) {
  ts::Result<ts::Request> request = ts::DecodeRequest(body);
  ts::Reply reply;
  reply.served_by = 3;
  reply.term = 1;
  if (!request.ok()) return ts::EncodeReply(reply);
  reply.id = request.value().id;
  reply.op_name = request.value().op_name;
  if (reply.op_name == "GET") {
    reply.pairs.push_back(ts::Pair{{"k"}, {"v"}});
  } else if (reply.op_name == "PUT") {
    for (const ts::Pair& pair : request.value().pairs) {
      if (pair.key == ts::Tuple{"taken"}) reply.rejected.push_back({pair, ts::RejectReason::kKeyPresent});
    }
  } else if (reply.op_name != "SHUTDOWN") {
    reply.error = ts::Error{ts::ErrorKind::kNotImplemented, "operation '" + reply.op_name + "' is not implemented"};
  }
  return ts::EncodeReply(reply);
}

}  // namespace

TEST_CASE("tsctl binary: usage errors exit 2 with a message on stderr", "[client][tsctl_binary]") {
  const std::string nobody = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  struct Case {
    std::vector<std::string> arguments;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{"--broker", nobody, "put", "lonely"}, "put takes KEY VALUE pairs"},
      {{"--broker", nobody, "frobnicate"}, "unknown command 'frobnicate'"},
      {{"--broker", nobody, "get"}, "get takes KEYEXP"},
      {{"--broker", nobody, "--timeout-ms", "0", "get", "a"}, "--timeout-ms"},
      {{"--broker", nobody, "--retries", "-1", "get", "a"}, "--retries"},
      {{"--broker", nobody, "--no-such-option", "get", "a"}, "--no-such-option"},
      {{"--broker", "nonsense", "get", "a"}, "--broker 'nonsense': not a valid ZeroMQ endpoint"},
      {{"get", "a", "--broker", "tcp://127.0.0.1:99999"}, "--broker 'tcp://127.0.0.1:99999': port 99999 is out of range 1..65535"},
      {{"--shutdown-endpoint", "tcp://127.0.0.1", "status"}, "--shutdown-endpoint 'tcp://127.0.0.1': no port"},
      {{"--broker", nobody, "get", "a", "--jsno"}, "unknown option '--jsno'"},
      {{"--broker", nobody, "get", "a", "--retries"}, "--retries needs a value"},
      {{"--broker", nobody, "connect", nobody}, "works in the interactive prompt"},
      {{"--broker", nobody, "send-raw", "--hex", "xyz"}, "hex needs an even number of digits"},
  };
  for (const Case& c : cases) {
    INFO("tsctl " << c.arguments.back() << " ...: " << c.says);
    ToolRun run = RunTsctl(c.arguments);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.err, Catch::Contains(c.says));
    CHECK(run.out.empty());
  }
}

TEST_CASE("tsctl binary: nothing listening is 'connection refused' within 3 s, exit 3", "[client][tsctl_binary]") {
  // issue 14: tcp://127.0.0.1:1 took 7.5 s of retries, then "no reply".
  const std::string nobody = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ToolRun run = RunTsctl({"--broker", nobody, "get", "a", ".*"});  // the default 3 attempts of 2500 ms
  CHECK(run.exit_code == 3);
  CHECK_THAT(run.err, Catch::StartsWith("tsctl: error: cannot reach the service: connection refused by " + nobody +
                                        " (refused "));
  CHECK(run.out.empty());
  CHECK(run.elapsed < 3s);

  ToolRun json = RunTsctl({"put", "a", "1", "--json", "--broker", nobody, "--refused-ms", "200"});
  CHECK(json.exit_code == 3);
  CHECK_THAT(json.out, Catch::StartsWith(R"({"ok":false,"op":"PUT","pairs":[],"rejected":[],"error":{"kind":)"
                                         R"("unavailable","message":"connection refused by )" + nobody));
  CHECK(json.elapsed < 3s);

  ToolRun shutdown = RunTsctl({"shutdown", "--endpoint", nobody});
  CHECK(shutdown.exit_code == 3);
  CHECK_THAT(shutdown.err, Catch::Contains("connection refused by " + nobody));
}

TEST_CASE("tsctl binary: a broker that takes the connection but never answers exits 3 after the attempts",
          "[client][tsctl_binary]") {
  ts::testing::FakeBroker silent([](size_t, const std::string&) -> std::optional<std::string> { return std::nullopt; });
  ToolRun run = RunTsctl({"--broker", silent.endpoint(), "--timeout-ms", "200", "--retries", "1", "get", "a", ".*"});
  CHECK(run.exit_code == 3);
  CHECK(run.err == "tsctl: error: cannot reach the service: no reply from " + silent.endpoint() +
                       " after 2 attempts of 200 ms\n");
  CHECK(run.out.empty());
  CHECK(run.elapsed >= 400ms);
  CHECK(run.elapsed < 10s);
  CHECK(silent.received_count() == 2);  // the retry budget goes to timeouts
}

TEST_CASE("tsctl binary: a flag after the positionals works as before them", "[client][tsctl_binary]") {
  // issue 14: `tsctl get user,1 --json` printed "no pairs matched", exit 0.
  ts::testing::FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });
  const std::string expected =
      R"({"ok":true,"op":"GET","pairs":[["k","v"]],"rejected":[],"error":null,"served_by":3,"term":1})"
      "\n";
  ToolRun after = RunTsctl({"get", "user,1", "--json", "--broker", broker.endpoint()});
  CHECK(after.exit_code == 0);
  CHECK(after.out == expected);
  ToolRun before = RunTsctl({"--json", "--broker", broker.endpoint(), "get", "user,1"});
  CHECK(before.out == expected);
  ts::Result<ts::Request> sent = ts::DecodeRequest(broker.received().at(0).body);
  REQUIRE(sent.ok());
  CHECK(sent.value().key_pattern == "user,1");
  CHECK(sent.value().value_pattern == ".*");  // --json was not taken as VALEXP

  // '--' makes a pattern of anything.
  REQUIRE(RunTsctl({"--broker", broker.endpoint(), "get", "--", "--json"}).exit_code == 0);
  ts::Result<ts::Request> dashed = ts::DecodeRequest(broker.received().at(2).body);
  REQUIRE(dashed.ok());
  CHECK(dashed.value().key_pattern == "--json");
}

TEST_CASE("tsctl binary: every exit status", "[client][tsctl_binary]") {
  ts::testing::FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });
  const std::string at = broker.endpoint();
  CHECK(RunTsctl({"--broker", at, "put", "a", "1"}).exit_code == 0);  // everything done
  ToolRun partly = RunTsctl({"--broker", at, "put", "a", "1", "taken", "2"});
  CHECK(partly.exit_code == 1);  // answered, but a pair was not added
  CHECK_THAT(partly.out, Catch::EndsWith("1 pair not added (node 3, term 1)\n"));
  CHECK(RunTsctl({"--broker", at, "put", "taken", "2", "--json"}).exit_code == 1);
  CHECK(RunTsctl({"--broker", at, "send", "FROB"}).exit_code == 1);  // an error reply
  CHECK(RunTsctl({"--broker", at, "put", "lonely"}).exit_code == 2);  // usage
  CHECK(RunTsctl({"--broker", ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort()), "get", "a"}).exit_code ==
        3);  // unreachable
}

TEST_CASE("tsctl binary: help and version exit 0", "[client][tsctl_binary]") {
  ToolRun help = RunTsctl({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: tsctl [OPTIONS] [COMMAND [ARG ...]]") &&
                           Catch::Contains("--broker EP") && Catch::Contains("put-raw [ITEM ...]") &&
                           Catch::Contains("3 service unreachable"));
  CHECK(help.out.find("Usage:") == std::string::npos);  // CLI11's own usage line is gone
  CHECK(help.out.find("--broker TEXT") == std::string::npos);  // and its type text
  CHECK(help.out.find(":INT") == std::string::npos);
  ToolRun one = RunTsctl({"help", "send"});
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out, Catch::StartsWith("usage: send OP [ARG ...]"));
  ToolRun get_help = RunTsctl({"get", "--help"});
  CHECK(get_help.exit_code == 0);
  CHECK_THAT(get_help.out, Catch::StartsWith("usage: get KEYEXP [VALEXP]"));
  ToolRun version = RunTsctl({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == std::string("tsctl ") + ts::kVersion + "\n");
}

TEST_CASE("tsctl binary: one-shot commands against a broker", "[client][tsctl_binary]") {
  ts::testing::FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });

  ToolRun get = RunTsctl({"--broker", broker.endpoint(), "get", "k", ".*"});
  CHECK(get.exit_code == 0);
  CHECK(get.out == "KEY  VALUE\nk    v\n1 pair matched (node 3, term 1)\n");
  CHECK(get.err.empty());

  ToolRun json = RunTsctl({"--json", "--broker", broker.endpoint(), "get", "k"});
  CHECK(json.exit_code == 0);
  CHECK(json.out == R"({"ok":true,"op":"GET","pairs":[["k","v"]],"rejected":[],"error":null,"served_by":3,"term":1})"
                    "\n");

  ToolRun unknown = RunTsctl({"--broker", broker.endpoint(), "send", "FROB"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.out == "error: not implemented: operation 'FROB' is not implemented (node 3, term 1)\n");

  ToolRun shutdown = RunTsctl({"--shutdown-endpoint", broker.endpoint(), "shutdown"});
  CHECK(shutdown.exit_code == 0);
  CHECK_THAT(shutdown.out, Catch::StartsWith("OK, shutdown acknowledged"));
}

TEST_CASE("tsctl binary: piped prompt runs every line and exits with the worst code", "[client][tsctl_binary]") {
  ts::testing::FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });
  ToolRun run = RunTsctl({"--broker", broker.endpoint()}, "# a comment\nget k\n\nsend FROB\nhelp quit\nquit\nget k\n");
  CHECK(run.exit_code == 1);
  CHECK(run.out ==
        "KEY  VALUE\nk    v\n1 pair matched (node 3, term 1)\n"
        "error: not implemented: operation 'FROB' is not implemented (node 3, term 1)\n"
        "usage: quit\n  prompt: leave (also exit, Ctrl-D)\n");
  CHECK(broker.received_count() == 2);  // nothing after quit

  ToolRun clean = RunTsctl({"--broker", broker.endpoint()}, "get k\n");
  CHECK(clean.exit_code == 0);
  ToolRun usage = RunTsctl({"--broker", broker.endpoint()}, "get k\nput x\n");
  CHECK(usage.exit_code == 2);
}
