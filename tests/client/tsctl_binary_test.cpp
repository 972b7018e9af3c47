// The built tsctl binary: usage errors (exit 2), an unreachable broker
// (exit 3, clear message on stderr, bounded time), and one-shot and piped
// prompt use against a real ZeroMQ ROUTER playing the broker.
#include <catch2/catch.hpp>

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
      {{"--broker", "nonsense", "get", "a"}, "'nonsense' is not a valid ZeroMQ endpoint"},
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

TEST_CASE("tsctl binary: an unreachable broker exits 3 after the timeout, saying so", "[client][tsctl_binary]") {
  const std::string nobody = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ToolRun run = RunTsctl({"--broker", nobody, "--timeout-ms", "200", "--retries", "1", "get", "a", ".*"});
  CHECK(run.exit_code == 3);
  CHECK(run.err == "tsctl: error: cannot reach the service: no reply from " + nobody +
                       " after 2 attempts of 200 ms\n");
  CHECK(run.out.empty());
  CHECK(run.elapsed >= 400ms);
  CHECK(run.elapsed < 10s);

  ToolRun json = RunTsctl({"--json", "--broker", nobody, "--timeout-ms", "100", "--retries", "0", "put", "a", "1"});
  CHECK(json.exit_code == 3);
  CHECK(json.out == R"({"ok":false,"op":"PUT","pairs":[],"rejected":[],"error":{"kind":"unavailable",)"
                    R"("message":"no reply from )" + nobody + R"( after 1 attempt of 100 ms"},"served_by":null,"term":null})"
                    "\n");
  CHECK_THAT(json.err, Catch::Contains("cannot reach the service"));

  ToolRun shutdown = RunTsctl({"--timeout-ms", "100", "--retries", "0", "shutdown", "--endpoint", nobody});
  CHECK(shutdown.exit_code == 3);
  CHECK_THAT(shutdown.err, Catch::Contains("no reply from " + nobody));
}

TEST_CASE("tsctl binary: help and version exit 0", "[client][tsctl_binary]") {
  ToolRun help = RunTsctl({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--broker") && Catch::Contains("put-raw [ITEM ...]") &&
                           Catch::Contains("3 service unreachable"));
  ToolRun one = RunTsctl({"help", "send"});
  CHECK(one.exit_code == 0);
  CHECK_THAT(one.out, Catch::StartsWith("usage: send OP [ARG ...]"));
  CHECK(RunTsctl({"--version"}).exit_code == 0);
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
