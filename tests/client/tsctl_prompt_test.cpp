// The built tsctl's interactive prompt on a real pseudo-terminal, typed at
// as a person would, against a real ZeroMQ ROUTER playing the broker:
// Ctrl-C drops the line (or the wait for a reply) and the prompt stays;
// history is in the file as each line is entered, so a killed prompt keeps
// it and the next prompt recalls it; Tab completes a command name.
#include <catch2/catch.hpp>

#include "clients/client_config.h"
#include "clients/tsctl_history.h"
#include "schema/codec.h"
#include "tests/client/fake_broker.h"
#include "tests/client/pty_process.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::testing::FakeBroker;
using ts::testing::PtyProcess;

namespace {

// Generous bounds: a prompt that hangs fails the test, it does not stall it.
constexpr auto kScreenTimeout = 10s;

std::optional<std::string> Answer(const std::string& body) {
  ts::Result<ts::Request> request = ts::DecodeRequest(body);
  ts::Reply reply;
  reply.served_by = 2;
  reply.term = 4;
  if (!request.ok()) return ts::EncodeReply(reply);
  reply.id = request.value().id;
  reply.op_name = request.value().op_name;
  if (reply.op_name == "GET") reply.pairs.push_back(ts::Pair{{"k"}, {"v"}});
  return ts::EncodeReply(reply);
}

std::vector<std::string> OpsReceived(const FakeBroker& broker) {
  std::vector<std::string> ops;
  for (const ts::testing::ReceivedFrame& frame : broker.received()) {
    ts::Result<ts::Request> request = ts::DecodeRequest(frame.body);
    ops.push_back(request.ok() ? request.value().op_name + " " + request.value().key_pattern : "?");
  }
  return ops;
}

struct Prompt {
  Prompt(const ts::testing::TempDir& home, const std::string& broker, std::vector<std::string> extra = {})
      : endpoint(broker),
        tsctl(ts::testing::BinaryPath("clients/tsctl"), Arguments(broker, std::move(extra)),
              {{"HOME", home.path().string()}, {"TERM", "vt100"}}) {}
  static std::vector<std::string> Arguments(const std::string& broker, std::vector<std::string> extra) {
    std::vector<std::string> arguments = {"--broker", broker};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }
  bool AtPrompt() { return tsctl.WaitFor("tsctl " + endpoint + "> ", kScreenTimeout); }
  std::string endpoint;
  PtyProcess tsctl;
};

}  // namespace

TEST_CASE("tsctl prompt: Ctrl-C drops the line being typed, and the prompt stays", "[client][tsctl_prompt]") {
  ts::testing::TempDir home;
  FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });
  Prompt prompt(home, broker.endpoint());
  REQUIRE(prompt.tsctl.started());
  REQUIRE(prompt.AtPrompt());

  prompt.tsctl.Type("put half");
  REQUIRE(prompt.tsctl.WaitFor("put half", kScreenTimeout));
  prompt.tsctl.Type("\x03");
  CHECK(prompt.tsctl.WaitFor("^C", kScreenTimeout));
  REQUIRE(prompt.AtPrompt());
  CHECK(prompt.tsctl.running());

  prompt.tsctl.Type("get k\r");
  CHECK(prompt.tsctl.WaitFor("1 pair matched (node 2, term 4)", kScreenTimeout));
  CHECK(OpsReceived(broker) == std::vector<std::string>{"GET k"});  // the dropped line was never sent

  REQUIRE(prompt.AtPrompt());
  prompt.tsctl.Type("quit\r");
  CHECK(prompt.tsctl.Wait(kScreenTimeout) == 0);
}

TEST_CASE("tsctl prompt: Ctrl-C while waiting for a reply ends the wait, not the prompt", "[client][tsctl_prompt]") {
  ts::testing::TempDir home;
  FakeBroker silent([](size_t, const std::string&) -> std::optional<std::string> { return std::nullopt; });
  Prompt prompt(home, silent.endpoint(), {"--timeout-ms", "60000"});
  REQUIRE(prompt.AtPrompt());
  prompt.tsctl.Type("get k\r");
  REQUIRE(ts::testing::WaitUntil([&] { return silent.received_count() == 1; }, kScreenTimeout));
  prompt.tsctl.Type("\x03");
  CHECK(prompt.tsctl.WaitFor("interrupted while waiting for a reply from " + silent.endpoint(), kScreenTimeout));
  REQUIRE(prompt.AtPrompt());
  CHECK(silent.received_count() == 1);  // given up, not retried
  prompt.tsctl.Type("quit\r");
  CHECK(prompt.tsctl.Wait(kScreenTimeout) == 3);  // the worst exit code of the session
}

TEST_CASE("tsctl prompt: history is written as you go, a killed prompt keeps it", "[client][tsctl_prompt]") {
  ts::testing::TempDir home;
  const std::string history_path = home / ts::client_config::kPromptHistoryFile;
  FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });
  {
    Prompt prompt(home, broker.endpoint());
    REQUIRE(prompt.AtPrompt());
    prompt.tsctl.Type("get k\r");
    REQUIRE(prompt.tsctl.WaitFor("1 pair matched", kScreenTimeout));
    REQUIRE(prompt.AtPrompt());
    prompt.tsctl.Type("count 'a b'\r");
    REQUIRE(prompt.tsctl.WaitFor("1 pair matches", kScreenTimeout));
    REQUIRE(prompt.AtPrompt());
    prompt.tsctl.Signal(SIGKILL);  // no chance to save anything at exit
    CHECK(prompt.tsctl.Wait(kScreenTimeout) == 128 + SIGKILL);
  }
  ts::tsctl::PromptHistory saved(history_path, 100);
  REQUIRE(saved.Load().ok());
  CHECK(saved.Lines() == std::vector<std::string>{"get k", "count 'a b'"});

  // The next prompt recalls it: Ctrl-P (previous line), then Enter.
  Prompt again(home, broker.endpoint());
  REQUIRE(again.AtPrompt());
  again.tsctl.Type("\x10\r");
  CHECK(again.tsctl.WaitFor("1 pair matches", kScreenTimeout));
  CHECK(OpsReceived(broker) == std::vector<std::string>{"GET k", "GET a b", "GET a b"});
}

TEST_CASE("tsctl prompt: Tab completes a command name", "[client][tsctl_prompt]") {
  ts::testing::TempDir home;
  FakeBroker broker([](size_t, const std::string& body) { return Answer(body); });
  Prompt prompt(home, broker.endpoint());
  REQUIRE(prompt.AtPrompt());
  prompt.tsctl.Type("sta\t\r");
  CHECK(prompt.tsctl.WaitFor("primary: node 2, term 4", kScreenTimeout));
  CHECK(OpsReceived(broker) == std::vector<std::string>{"STATUS "});

  REQUIRE(prompt.AtPrompt());
  prompt.tsctl.Type("p\t");  // several fit: they are listed
  CHECK(prompt.tsctl.WaitFor("ping  post  put  put-raw", kScreenTimeout));
  prompt.tsctl.Type("i\t\r");  // "pi" + Tab = "ping "
  CHECK(prompt.tsctl.WaitFor("pong from node 2 (primary, term 4)", kScreenTimeout));
}
