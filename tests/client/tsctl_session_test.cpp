// tsctl sessions (what one-shot tsctl and the prompt run) against a real
// ZeroMQ ROUTER playing the broker: output, exit codes, and what reaches the wire.
#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "clients/tsctl_session.h"
#include "schema/codec.h"
#include "tests/client/fake_broker.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::testing::EchoReply;
using ts::testing::FakeBroker;
using ts::tsctl::Session;

namespace {

struct Harness {
  explicit Harness(const std::string& endpoint, bool json = false, bool interactive = false) {
    options.broker_endpoint = endpoint;
    options.shutdown_endpoint = endpoint;
    options.json = json;
    options.interactive = interactive;
    options.client.request_timeout = 200ms;
    options.client.retries = 1;
  }
  int Run(std::string_view line) {
    out.str("");
    err.str("");
    if (!session) session.emplace(options, out, err);
    return session->RunLine(line);
  }
  ts::tsctl::SessionOptions options;
  std::ostringstream out;
  std::ostringstream err;
  std::optional<Session> session;
};

// Answers like a tiny space: GET/DELETE return one pair, PUT rejects key
// "taken", other ops are not implemented, undecodable frames are malformed.
std::optional<std::string> MiniSpace(const std::string& body) {
  ts::Result<ts::Request> request = ts::DecodeRequest(body);
  ts::Reply reply;
  reply.served_by = 1;
  reply.term = 2;
  if (!request.ok()) {
    reply.error = ts::Error{ts::ErrorKind::kMalformedRequest, request.error().message};
    return ts::EncodeReply(reply);
  }
  reply.id = request.value().id;
  reply.op_name = request.value().op_name;
  if (request.value().pair_list_error) {
    reply.error = ts::Error{ts::ErrorKind::kMalformedRequest, *request.value().pair_list_error};
  } else if (reply.op_name == "GET" || reply.op_name == "DELETE") {
    reply.pairs.push_back(ts::Pair{{"user", "1"}, {"alice"}});
  } else if (reply.op_name == "PUT") {
    for (const ts::Pair& pair : request.value().pairs) {
      if (pair.key == ts::Tuple{"taken"}) reply.rejected.push_back({pair, ts::RejectReason::kKeyPresent});
    }
  } else if (reply.op_name == "SHUTDOWN") {
    reply.served_by = 0;
  } else {
    reply.error = ts::Error{ts::ErrorKind::kNotImplemented, "operation '" + reply.op_name + "' is not implemented"};
  }
  return ts::EncodeReply(reply);
}

}  // namespace

TEST_CASE("tsctl session: requests print readably and exit 0, or 1 when anything was refused", "[client][tsctl_session]") {
  FakeBroker broker([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness tsctl(broker.endpoint());

  CHECK(tsctl.Run("get 'user,.*' .*") == 0);
  CHECK(tsctl.out.str() == "KEY     VALUE\nuser,1  alice\n1 pair matched (node 1, term 2)\n");
  CHECK(tsctl.err.str().empty());

  CHECK(tsctl.Run("put a 1 b 2") == 0);  // every pair added
  // issue 14: a put that adds only some of its pairs exited 0.
  CHECK(tsctl.Run("put a 1 taken 2") == 1);
  CHECK(tsctl.out.str() == "KEY    VALUE  NOT ADDED BECAUSE\ntaken  2      key already present\n"
                           "1 pair not added (node 1, term 2)\n");

  CHECK(tsctl.Run("send FROB x") == 1);
  CHECK(tsctl.out.str() == "error: not implemented: operation 'FROB' is not implemented (node 1, term 2)\n");

  CHECK(tsctl.Run("put only-a-key") == 2);
  CHECK_THAT(tsctl.err.str(), Catch::StartsWith("tsctl: put takes KEY VALUE pairs"));
  CHECK(broker.received_count() == 4);  // the usage error sent nothing
}

TEST_CASE("tsctl session: put-raw and send-raw put malformed requests on the wire", "[client][tsctl_session]") {
  FakeBroker broker([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness tsctl(broker.endpoint());

  CHECK(tsctl.Run("put-raw a,,b 1 lonely") == 1);
  ts::Result<ts::Request> sent = ts::DecodeRequest(broker.received().at(0).body);
  REQUIRE(sent.ok());
  CHECK(sent.value().op_name == "PUT");
  REQUIRE(sent.value().pair_list_error.has_value());
  CHECK(*sent.value().pair_list_error == "pair 2 of 2 has no value");
  CHECK(sent.value().id.request_number == 1);
  CHECK(tsctl.out.str() == "error: malformed request: pair 2 of 2 has no value (node 1, term 2)\n");

  CHECK(tsctl.Run("send-raw --hex 0001") == 1);
  CHECK(broker.received().at(1).body == std::string("\x00\x01", 2));
  CHECK_THAT(tsctl.out.str(), Catch::StartsWith("error: malformed request: "));
}

TEST_CASE("tsctl session: --json prints one object per reply", "[client][tsctl_session]") {
  FakeBroker broker([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness tsctl(broker.endpoint(), /*json=*/true);
  CHECK(tsctl.Run("delete user,1") == 0);
  CHECK(tsctl.out.str() ==
        R"({"ok":true,"op":"DELETE","pairs":[["user,1","alice"]],"rejected":[],"error":null,"served_by":1,"term":2})"
        "\n");
}

TEST_CASE("tsctl session: --output tsv puts only KEY<tab>VALUE lines on stdout, the rest on stderr",
          "[client][tsctl_session]") {
  FakeBroker broker([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness tsctl(broker.endpoint(), false, /*interactive=*/true);
  CHECK(tsctl.Run("get user,1 --output tsv") == 0);
  CHECK(tsctl.out.str() == "user,1\talice\n");
  CHECK(tsctl.err.str().empty());
  // A refused pair: nothing on stdout, the reason on stderr, exit 1.
  CHECK(tsctl.Run("--output tsv put taken v") == 1);
  CHECK(tsctl.out.str().empty());
  CHECK_THAT(tsctl.err.str(), Catch::Contains("taken"));
  CHECK(tsctl.Run("--output tsv count user,.*") == 0);
  CHECK(tsctl.out.str() == "1\n");
  CHECK(tsctl.Run("--output tsv ping") == 0);
  CHECK_THAT(tsctl.out.str(), Catch::Matches(R"(\d+\.\d\d\n)"));
  // --output json is --json; table is the default; the two flags must agree.
  CHECK(tsctl.Run("--output json get user,1") == 0);
  CHECK_THAT(tsctl.out.str(), Catch::StartsWith(R"({"ok":true,"op":"GET")"));
  CHECK(tsctl.Run("--output table get user,1") == 0);
  CHECK_THAT(tsctl.out.str(), Catch::StartsWith("KEY "));
  CHECK(tsctl.Run("--json --output tsv get user,1") == 2);
  CHECK(tsctl.err.str() == "tsctl: --json and --output tsv disagree: choose one\n");
  CHECK(tsctl.Run("--output yaml get user,1") == 2);
  CHECK_THAT(tsctl.err.str(), Catch::Contains("--output"));
  CHECK_THAT(tsctl.err.str(), Catch::Contains("yaml"));
}

TEST_CASE("tsctl session: service refused exits 1, unavailable exits 3", "[client][tsctl_session]") {
  // "service refused" is the broker's answer (client limit): an error reply.
  // "unavailable" means no primary answered in time: unreachable.
  for (auto [kind, expected_exit] : {std::pair{ts::ErrorKind::kServiceRefused, 1},
                                     std::pair{ts::ErrorKind::kUnavailable, 3}}) {
    FakeBroker broker([kind = kind](size_t, const std::string&) {
      ts::Reply reply;
      reply.error = ts::Error{kind, "try later"};
      return ts::EncodeReply(reply);
    });
    Harness tsctl(broker.endpoint());
    CHECK(tsctl.Run("get a") == expected_exit);
    CHECK_THAT(tsctl.out.str(), Catch::StartsWith("error: service "));
  }
}

TEST_CASE("tsctl session: a broker that does not answer exits 3 with the reason on stderr", "[client][tsctl_session]") {
  FakeBroker silent([](size_t, const std::string&) -> std::optional<std::string> { return std::nullopt; });
  Harness readable(silent.endpoint());
  CHECK(readable.Run("get a") == 3);
  CHECK(readable.out.str().empty());
  CHECK(readable.err.str() == "tsctl: error: cannot reach the service: no reply from " + silent.endpoint() +
                                  " after 2 attempts of 200 ms\n");

  Harness json(silent.endpoint(), /*json=*/true);
  CHECK(json.Run("status") == 3);
  CHECK_THAT(json.out.str(), Catch::StartsWith(R"({"ok":false,"op":"STATUS","pairs":[],"rejected":[],)"
                                               R"("error":{"kind":"unavailable","message":"no reply from )"));
  CHECK_FALSE(json.err.str().empty());
}

TEST_CASE("tsctl session: nobody listening exits 3 saying 'connection refused'", "[client][tsctl_session]") {
  const std::string endpoint = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  Harness readable(endpoint);
  CHECK(readable.Run("get a") == 3);
  CHECK_THAT(readable.err.str(),
             Catch::StartsWith("tsctl: error: cannot reach the service: connection refused by " + endpoint));
  CHECK(readable.Run("ping") == 3);
  CHECK(readable.Run("count a") == 3);
}

TEST_CASE("tsctl session: ping times a get no key matches, count counts a get's pairs", "[client][tsctl_session]") {
  FakeBroker broker([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness tsctl(broker.endpoint());
  CHECK(tsctl.Run("ping") == 0);
  CHECK_THAT(tsctl.out.str(), Catch::Matches(R"(pong from node 1 \(primary, term 2\) in \d+\.\d\d ms\n)"));
  ts::Result<ts::Request> sent = ts::DecodeRequest(broker.received().at(0).body);
  REQUIRE(sent.ok());
  CHECK(sent.value().op_name == "GET");
  CHECK(sent.value().key_pattern == ts::tsctl::kPingKeyPattern);

  CHECK(tsctl.Run("count user,.*") == 0);
  CHECK(tsctl.out.str() == "1 pair matches (node 1, term 2)\n");
  CHECK(tsctl.Run("count user,.* --json") == 0);
  CHECK(tsctl.out.str() == R"({"ok":true,"op":"COUNT","count":1,"error":null,"served_by":1,"term":2})"
                           "\n");
  CHECK(tsctl.Run("ping --json") == 0);
  nlohmann::json ping = nlohmann::json::parse(tsctl.out.str());
  CHECK(ping["op"] == "PING");
  CHECK(ping["served_by"] == 1);
  CHECK(ping["rtt_ms"].get<double>() > 0.0);
}

TEST_CASE("tsctl session: ping's time is at least the broker's delay in answering", "[client][tsctl_session]") {
  constexpr auto kDelay = std::chrono::milliseconds(80);
  FakeBroker slow([&](size_t, const std::string& body) {
    std::this_thread::sleep_for(kDelay);
    return MiniSpace(body);
  });
  Harness tsctl(slow.endpoint());
  CHECK(tsctl.Run("ping --json") == 0);
  nlohmann::json ping = nlohmann::json::parse(tsctl.out.str());
  CHECK(ping["rtt_ms"].get<double>() >= static_cast<double>(kDelay.count()));
}

TEST_CASE("tsctl session: options on a prompt line hold for that line only", "[client][tsctl_session]") {
  FakeBroker first([](size_t, const std::string& body) { return MiniSpace(body); });
  FakeBroker second([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness prompt(first.endpoint(), false, /*interactive=*/true);

  CHECK(prompt.Run("get user,1 --json") == 0);
  CHECK(prompt.out.str() ==
        R"({"ok":true,"op":"GET","pairs":[["user,1","alice"]],"rejected":[],"error":null,"served_by":1,"term":2})"
        "\n");
  CHECK(prompt.Run("get user,1") == 0);  // readable again
  CHECK_THAT(prompt.out.str(), Catch::StartsWith("KEY "));

  CHECK(prompt.Run("--broker " + second.endpoint() + " get a") == 0);
  CHECK(second.received_count() == 1);
  CHECK(prompt.session->Prompt() == "tsctl " + first.endpoint() + "> ");  // the session's endpoint is kept
  CHECK(prompt.Run("get a") == 0);
  CHECK(first.received_count() == 3);

  CHECK(prompt.Run("get a --timeout-ms 0") == 2);
  CHECK(prompt.err.str() == "tsctl: --timeout-ms: Value 0 not in range 1 to 600000\n");
  CHECK(prompt.Run("get a --broker tcp://127.0.0.1:99999") == 2);
  CHECK(prompt.err.str() == "tsctl: --broker 'tcp://127.0.0.1:99999': port 99999 is out of range 1..65535\n");
  CHECK(prompt.Run("get a --frob") == 2);
  CHECK_THAT(prompt.err.str(), Catch::StartsWith("tsctl: unknown option '--frob'"));
  CHECK(first.received_count() == 3);  // usage errors send nothing

  CHECK(prompt.Run("put --help") == 0);
  CHECK_THAT(prompt.out.str(), Catch::StartsWith("usage: put KEY VALUE"));
  CHECK(prompt.Run("--version") == 0);
  CHECK_THAT(prompt.out.str(), Catch::StartsWith("tsctl "));
}

TEST_CASE("tsctl session: shutdown goes to the shutdown endpoint", "[client][tsctl_session]") {
  FakeBroker requests([](size_t, const std::string& body) { return MiniSpace(body); });
  FakeBroker shutdown([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness tsctl(requests.endpoint());
  tsctl.options.shutdown_endpoint = shutdown.endpoint();
  CHECK(tsctl.Run("shutdown") == 0);
  CHECK(tsctl.out.str() == "OK, shutdown acknowledged: the service saves its data and stops\n");
  CHECK(shutdown.received_count() == 1);
  CHECK(requests.received_count() == 0);

  Harness other(requests.endpoint());
  CHECK(other.Run("shutdown --endpoint " + shutdown.endpoint()) == 0);
  CHECK(shutdown.received_count() == 2);
  CHECK(other.Run("shutdown --endpoint nonsense") == 2);
  CHECK_THAT(other.err.str(), Catch::Contains("--endpoint 'nonsense': not a valid ZeroMQ endpoint"));
}

TEST_CASE("tsctl session: connect and disconnect in the prompt", "[client][tsctl_session]") {
  FakeBroker first([](size_t, const std::string& body) { return MiniSpace(body); });
  FakeBroker second([](size_t, const std::string& body) { return MiniSpace(body); });
  Harness prompt(first.endpoint(), false, /*interactive=*/true);

  CHECK(prompt.Run("get a") == 0);
  CHECK(prompt.Run("connect " + second.endpoint()) == 0);
  CHECK(prompt.session->Prompt() == "tsctl " + second.endpoint() + "> ");
  CHECK(prompt.Run("get a") == 0);
  CHECK(first.received_count() == 1);
  CHECK(second.received_count() == 1);

  CHECK(prompt.Run("disconnect") == 0);
  CHECK(prompt.session->Prompt() == "tsctl (not connected)> ");
  CHECK(prompt.Run("get a") == 2);
  CHECK(prompt.err.str() == "tsctl: not connected to a broker; use 'connect EP' first\n");

  CHECK(prompt.Run("disconnect --shutdown") == 0);
  CHECK(prompt.Run("shutdown") == 2);
  CHECK(prompt.Run("connect --shutdown " + second.endpoint()) == 0);
  CHECK(prompt.Run("shutdown") == 0);
  CHECK(prompt.Run("connect nonsense") == 2);
  CHECK(prompt.Run("quit") == 0);
  CHECK(prompt.session->quit_requested());

  Harness one_shot(first.endpoint());
  CHECK(one_shot.Run("connect " + second.endpoint()) == 2);
  CHECK_THAT(one_shot.err.str(), Catch::Contains("works in the interactive prompt"));
}
