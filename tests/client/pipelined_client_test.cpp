// The pipelined (DEALER) client against real ZeroMQ peers.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <set>

#include "clients/pipelined_client.h"
#include "schema/codec.h"
#include "tests/client/fake_broker.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::testing::EchoReply;
using ts::testing::FakeBroker;
using ts::testing::IdOf;

namespace {

ts::PipelineOptions Fast(int retries = 2, std::chrono::milliseconds timeout = 300ms) {
  ts::PipelineOptions options;
  options.request_timeout = timeout;
  options.retries = retries;
  return options;
}

std::vector<ts::Request> NumberedGets(int count) {
  std::vector<ts::Request> requests;
  for (int i = 0; i < count; ++i) requests.push_back(ts::MakeGet("k" + std::to_string(i), ".*"));
  return requests;
}

}  // namespace

TEST_CASE("pipelined: replies answered in reverse order reach the right requests", "[client][pipelined]") {
  constexpr int kRequests = 40;
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); }, /*batch=*/kRequests);
  ts::PipelineOptions options = Fast();
  options.max_in_flight = kRequests;
  ts::PipelinedClient client(broker.endpoint(), options);

  std::vector<ts::Result<ts::Reply>> results = client.CallAll(NumberedGets(kRequests));
  REQUIRE(results.size() == kRequests);
  for (int i = 0; i < kRequests; ++i) {
    INFO("request " << i);
    REQUIRE(results[i].ok());
    CHECK(results[i].value().pairs.at(0).key == ts::Tuple{"k" + std::to_string(i)});
    CHECK(results[i].value().id == ts::RequestId{client.client_id(), static_cast<uint64_t>(i + 1)});
  }
  CHECK(client.stats().sent == kRequests);
  CHECK(client.stats().completed == kRequests);
  CHECK(client.stats().resent == 0);
  CHECK(client.in_flight() == 0);
}

TEST_CASE("pipelined: at most max_in_flight requests are out at once", "[client][pipelined]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::PipelineOptions options = Fast();
  options.max_in_flight = 4;
  ts::PipelinedClient client(broker.endpoint(), options);

  for (int i = 0; i < 4; ++i) REQUIRE(client.Send(ts::MakeGet("a", "b")).ok());
  ts::Result<uint64_t> refused = client.Send(ts::MakeGet("a", "b"));
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("4 requests in flight"));

  std::set<uint64_t> done;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (done.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    for (ts::Completion& completion : client.Poll(200ms)) {
      REQUIRE(completion.reply.ok());
      done.insert(completion.request_number);
    }
  }
  CHECK(done == std::set<uint64_t>{1, 2, 3, 4});
  CHECK(client.Send(ts::MakeGet("a", "b")).ok());

  // The long-run limit holds in CallAll too: 20 requests never overrun 4 out.
  std::vector<ts::Result<ts::Reply>> results = client.CallAll(NumberedGets(20));
  for (const auto& result : results) CHECK(result.ok());
}

TEST_CASE("pipelined: a dropped request is resent with the same id and completes", "[client][pipelined]") {
  // Drops the first frame of every even request number (the resend is answered).
  std::map<uint64_t, int> seen;
  std::mutex seen_mutex;
  FakeBroker broker([&](size_t, const std::string& body) -> std::optional<std::string> {
    uint64_t number = IdOf(body).request_number;
    std::lock_guard<std::mutex> lock(seen_mutex);
    if (number % 2 == 0 && seen[number]++ == 0) return std::nullopt;
    return EchoReply(body);
  });
  ts::PipelinedClient client(broker.endpoint(), Fast(2, 200ms));

  std::vector<ts::Result<ts::Reply>> results = client.CallAll(NumberedGets(10));
  for (size_t i = 0; i < results.size(); ++i) {
    INFO("request " << i);
    REQUIRE(results[i].ok());
    CHECK(results[i].value().pairs.at(0).key == ts::Tuple{"k" + std::to_string(i)});
  }
  CHECK(client.stats().resent == 5);
  // Every resend carried the id of its first attempt.
  std::map<uint64_t, int> frames_per_number;
  for (const ts::testing::ReceivedFrame& frame : broker.received()) {
    ts::RequestId id = IdOf(frame.body);
    CHECK(id.client_id == client.client_id());
    ++frames_per_number[id.request_number];
  }
  for (uint64_t number = 1; number <= 10; ++number) {
    CHECK(frames_per_number[number] == (number % 2 == 0 ? 2 : 1));
  }
}

TEST_CASE("pipelined: an unreachable endpoint fails every request in bounded time", "[client][pipelined]") {
  const std::string endpoint = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ts::PipelinedClient client(endpoint, Fast(1, 100ms));

  const auto start = std::chrono::steady_clock::now();
  std::vector<ts::Result<ts::Reply>> results = client.CallAll(NumberedGets(5));
  const auto elapsed = std::chrono::steady_clock::now() - start;

  for (const auto& result : results) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ts::ErrorKind::kUnavailable);
    // The attempts ran out on a connection that was refused: the error says so (issue 12).
    CHECK_THAT(result.error().message, Catch::StartsWith("connection refused by " + endpoint) &&
                                           Catch::Contains("is the broker running"));
  }
  CHECK(client.stats().expired == 5);
  CHECK(elapsed >= 200ms);
  CHECK(elapsed < 3s);
}

TEST_CASE("pipelined: a refused connection fails the requests out before their attempts run out, naming the endpoint",
          "[client][pipelined]") {
  const std::string endpoint = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ts::PipelineOptions options = Fast(3, 10s);  // attempts alone would take 40 s
  options.refused_after = 200ms;
  ts::PipelinedClient client(endpoint, options);
  for (int i = 0; i < 3; ++i) REQUIRE(client.Send(ts::MakeGet("a", "b")).ok());

  std::vector<ts::Completion> done;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (done.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    for (ts::Completion& completion : client.Poll(100ms)) done.push_back(std::move(completion));
  }
  REQUIRE(done.size() == 3);
  for (const ts::Completion& completion : done) {
    REQUIRE_FALSE(completion.reply.ok());
    CHECK(completion.reply.error().kind == ts::ErrorKind::kUnavailable);
    CHECK_THAT(completion.reply.error().message, Catch::StartsWith("connection refused by " + endpoint));
    CHECK(completion.attempts == 1);
  }
  CHECK(client.in_flight() == 0);
  CHECK(client.stats().expired == 3);
}

TEST_CASE("pipelined: what is ready leaves as one bundle, and each request is answered", "[client][pipelined]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::PipelineOptions options = Fast();
  options.max_in_flight = 16;
  ts::PipelinedClient client(broker.endpoint(), options);
  for (int i = 0; i < 16; ++i) REQUIRE(client.Send(ts::MakeGet("k" + std::to_string(i), ".*")).ok());
  std::set<uint64_t> done;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (done.size() < 16 && std::chrono::steady_clock::now() < deadline) {
    for (ts::Completion& completion : client.Poll(100ms)) {
      REQUIRE(completion.reply.ok());
      done.insert(completion.request_number);
    }
  }
  CHECK(done.size() == 16);
  // All 16 came in one ZeroMQ message from one routing id, in order.
  std::vector<ts::testing::ReceivedFrame> received = broker.received();
  REQUIRE(received.size() == 16);
  for (size_t i = 0; i < received.size(); ++i) CHECK(IdOf(received[i].body).request_number == i + 1);
  CHECK(broker.messages_count() == 1);
  CHECK(client.stats().resent == 0);
}

TEST_CASE("pipelined: duplicate, stray and garbage replies are counted, not matched", "[client][pipelined]") {
  // Arrival 1 gets garbage, arrival 2 another client's reply; the rest are answered.
  FakeBroker broker([](size_t index, const std::string& body) -> std::optional<std::string> {
    if (index == 1) return std::string("not a reply");
    if (index == 2) {
      ts::Reply stray;
      stray.id = ts::RequestId{1, 1};  // another client's
      return ts::EncodeReply(stray);
    }
    return EchoReply(body);
  });
  ts::PipelinedClient client(broker.endpoint(), Fast(2, 200ms));
  REQUIRE(client.Send(ts::MakeGet("first", ".*")).ok());   // answered
  REQUIRE(client.Send(ts::MakeGet("second", ".*")).ok());  // garbage, then its resend answered
  REQUIRE(client.Send(ts::MakeGet("third", ".*")).ok());   // stray, then its resend answered
  std::set<uint64_t> done;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (done.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    for (ts::Completion& completion : client.Poll(100ms)) {
      REQUIRE(completion.reply.ok());
      done.insert(completion.request_number);
    }
  }
  CHECK(done.size() == 3);
  CHECK(client.stats().undecodable == 1);
  CHECK(client.stats().unmatched == 1);
}

TEST_CASE("pipelined: a bad endpoint fails Send without a crash", "[client][pipelined]") {
  ts::PipelinedClient client("nonsense", Fast());
  ts::Result<uint64_t> sent = client.Send(ts::MakeGet("a", "b"));
  REQUIRE_FALSE(sent.ok());
  CHECK_THAT(sent.error().message, Catch::Contains("'nonsense'"));
  CHECK(client.Poll(10ms).empty());
  std::vector<ts::Result<ts::Reply>> results = client.CallAll(NumberedGets(2));
  CHECK_FALSE(results[0].ok());
  CHECK_FALSE(results[1].ok());
}
