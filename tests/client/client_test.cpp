// The request/reply client against real ZeroMQ peers: a ROUTER on a free
// loopback port (FakeBroker) that answers, drops, or garbles replies, a port
// nobody listens on, and a TCP listener that is no ZeroMQ peer.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "clients/client.h"
#include "clients/client_transport.h"
#include "schema/codec.h"
#include "tests/client/fake_broker.h"
#include "tests/support/process.h"

using namespace std::chrono_literals;
using ts::testing::EchoReply;
using ts::testing::FakeBroker;
using ts::testing::IdOf;

namespace {

ts::ClientOptions Fast(int retries = 2, std::chrono::milliseconds timeout = 300ms) {
  ts::ClientOptions options;
  options.request_timeout = timeout;
  options.retries = retries;
  return options;
}

}  // namespace

TEST_CASE("client: a call gets its reply, numbered with a random client id", "[client]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::Client client(broker.endpoint(), Fast());
  REQUIRE(client.client_id() != 0);

  ts::Result<ts::Reply> reply = client.Get("user,.*", "4.");
  REQUIRE(reply.ok());
  CHECK(reply.value().ok());
  CHECK(reply.value().op_name == "GET");
  REQUIRE(reply.value().pairs.size() == 1);
  CHECK(reply.value().pairs[0] == ts::Pair{{"user,.*"}, {"4."}});
  CHECK(reply.value().served_by == 7);
  CHECK(reply.value().term == 3);
  CHECK(reply.value().id == ts::RequestId{client.client_id(), 1});
  CHECK(client.attempts_of_last_call() == 1);

  REQUIRE(client.Put({ts::Pair{{"a"}, {"1"}}}).ok());
  CHECK(client.last_request_number() == 2);
  REQUIRE(broker.received_count() == 2);
  CHECK(IdOf(broker.received()[1].body) == ts::RequestId{client.client_id(), 2});

  ts::Client other(broker.endpoint(), Fast());
  CHECK(other.client_id() != client.client_id());
}

TEST_CASE("client: a reply's round trip is timed once connected, within the call's time", "[client]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::Client client(broker.endpoint(), Fast());
  CHECK(client.last_round_trip().count() == 0);
  for (int call = 0; call < 2; ++call) {  // the first one waits for the connection
    const auto start = std::chrono::steady_clock::now();
    REQUIRE(client.Get("a", ".*").ok());
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    CHECK(client.last_round_trip().count() > 0);
    CHECK(client.last_round_trip() <= elapsed);
  }
}

TEST_CASE("client: the round trip is the send to the reply, at least a slow broker's delay (warm or not)",
          "[client]") {
  // Issue 14: the start was max(send, handshake event), and the monitor's
  // event is stamped when read, often with the reply: ~0.01 ms for any broker.
  constexpr auto kDelay = 100ms;
  FakeBroker slow([&](size_t, const std::string& body) {
    std::this_thread::sleep_for(kDelay);
    return EchoReply(body);
  });
  ts::Client client(slow.endpoint(), Fast(0, 5000ms));
  for (int call = 0; call < 2; ++call) {
    INFO("call " << call);
    REQUIRE(client.Get("a", ".*").ok());
    CHECK(client.last_round_trip() >= kDelay);
  }
  ts::Client warm(slow.endpoint(), Fast(0, 5000ms));
  REQUIRE(warm.WarmUp(5000ms));
  REQUIRE(warm.WarmUp(5000ms));  // already up: at once, not after another handshake
  REQUIRE(warm.Get("a", ".*").ok());
  CHECK(warm.last_round_trip() >= kDelay);
}

TEST_CASE("client: a slow handshake is in a cold call's round trip (the handshake event is no start mark)",
          "[client]") {
  // The broker answers at once, but admits the connection only after kDelay:
  // the handshake event and the reply then come together, and a round trip
  // timed from that event read ~0.01 ms (issue 14's tsctl ping).
  constexpr auto kDelay = 100ms;
  FakeBroker slow_handshake([](size_t, const std::string& body) { return EchoReply(body); }, 1, "tcp://127.0.0.1:*",
                            kDelay);
  ts::Client cold(slow_handshake.endpoint(), Fast(0, 5000ms));
  REQUIRE(cold.Get("a", ".*").ok());
  CHECK(cold.last_round_trip() >= kDelay);

  // Warmed up first (as tsctl ping does), the round trip is the exchange alone.
  ts::Client warm(slow_handshake.endpoint(), Fast(0, 5000ms));
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(warm.WarmUp(5000ms));
  CHECK(std::chrono::steady_clock::now() - start >= kDelay);  // it waited for the handshake
  REQUIRE(warm.Get("a", ".*").ok());
  CHECK(warm.last_round_trip() < kDelay);
}

TEST_CASE("client: WarmUp says false for a port nobody listens on, within the refusal window", "[client]") {
  ts::ClientOptions options = Fast(0, 5000ms);
  options.refused_after = 200ms;
  ts::Client client(ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort()), options);
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(client.WarmUp(5000ms));
  CHECK(std::chrono::steady_clock::now() - start < 5000ms);
}

TEST_CASE("client: a lost request is retried on a new socket with the same request id", "[client]") {
  // Drops the first request it sees, answers the rest.
  FakeBroker broker([](size_t index, const std::string& body) -> std::optional<std::string> {
    if (index == 0) return std::nullopt;
    return EchoReply(body);
  });
  ts::Client client(broker.endpoint(), Fast(2, 300ms));

  ts::Result<ts::Reply> reply = client.Put({ts::Pair{{"k"}, {"v"}}});
  REQUIRE(reply.ok());
  CHECK(reply.value().ok());
  CHECK(client.attempts_of_last_call() == 2);

  std::vector<ts::testing::ReceivedFrame> received = broker.received();
  REQUIRE(received.size() == 2);
  const ts::RequestId first = IdOf(received[0].body);
  CHECK(first == ts::RequestId{client.client_id(), 1});
  CHECK(IdOf(received[1].body) == first);                   // exactly-once: the same id
  CHECK(received[1].body == received[0].body);              // and the same bytes
  CHECK(received[1].routing_id != received[0].routing_id);  // from a reopened REQ socket

  // The next new request gets the next number.
  REQUIRE(client.Get("k", "v").ok());
  CHECK(IdOf(broker.received().back().body) == ts::RequestId{client.client_id(), 2});
}

TEST_CASE("client: a broker that never answers gives 'no reply' after every attempt, in bounded time",
          "[client]") {
  FakeBroker silent([](size_t, const std::string&) -> std::optional<std::string> { return std::nullopt; });
  ts::Client client(silent.endpoint(), Fast(2, 100ms));

  const auto start = std::chrono::steady_clock::now();
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  const auto elapsed = std::chrono::steady_clock::now() - start;

  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().kind == ts::ErrorKind::kUnavailable);
  CHECK(reply.error().message == "no reply from " + silent.endpoint() + " after 3 attempts of 100 ms");
  CHECK(client.attempts_of_last_call() == 3);
  CHECK(silent.received_count() == 3);  // the retry budget is spent on timeouts
  CHECK(elapsed >= 300ms);  // it really waited for each attempt
  CHECK(elapsed < 3s);      // and no longer than the attempts, plus generous slack
}

TEST_CASE("client: retries 0 means a single attempt", "[client]") {
  FakeBroker silent([](size_t, const std::string&) -> std::optional<std::string> { return std::nullopt; });
  ts::Client client(silent.endpoint(), Fast(0, 50ms));
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().message == "no reply from " + silent.endpoint() + " after 1 attempt of 50 ms");
}

TEST_CASE("client: nobody listening is 'connection refused' within the refusal window, not after every attempt",
          "[client]") {
  const std::string endpoint = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ts::ClientOptions options;  // the defaults: 3 attempts of 2500 ms, refused after 1000 ms
  ts::Client client(endpoint, options);

  const auto start = std::chrono::steady_clock::now();
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  const auto elapsed = std::chrono::steady_clock::now() - start;

  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().kind == ts::ErrorKind::kUnavailable);
  CHECK_THAT(reply.error().message, Catch::StartsWith("connection refused by " + endpoint + " (refused ") &&
                                        Catch::EndsWith("): nothing is listening there; is the broker running, "
                                                        "on that port?"));
  CHECK(client.attempts_of_last_call() == 1);  // no retry: a refusal is not a timeout
  CHECK(elapsed >= options.refused_after);
  CHECK(elapsed < 3s);  // the bound; the attempts alone would take 7.5 s
}

TEST_CASE("client: attempts that run out before the refusal window still say refused", "[client]") {
  const std::string endpoint = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ts::Client client(endpoint, Fast(1, 100ms));
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  REQUIRE_FALSE(reply.ok());
  CHECK_THAT(reply.error().message, Catch::StartsWith("connection refused by " + endpoint));
  CHECK(client.attempts_of_last_call() == 2);
}

namespace {

// A TCP listener that is no ZeroMQ peer: it answers every connection with a
// line of HTTP and closes it. An event loop in its own thread, ended by the
// destructor.
class NotZeroMqListener {
 public:
  NotZeroMqListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    endpoint_ = ts::testing::LoopbackEndpoint(ntohs(address.sin_port));
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd item{fd_, POLLIN, 0};
        if (::poll(&item, 1, 20) <= 0) continue;
        int connection = ::accept(fd_, nullptr, nullptr);
        if (connection < 0) continue;
        const char kAnswer[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
        (void)!::write(connection, kAnswer, sizeof kAnswer - 1);
        ::close(connection);
      }
    });
  }
  ~NotZeroMqListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  const std::string& endpoint() const { return endpoint_; }

 private:
  int fd_ = -1;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("client: a listener that is not ZeroMQ is named as such, not waited out", "[client]") {
  NotZeroMqListener listener;
  ts::ClientOptions options = Fast(2, 2000ms);
  options.refused_after = 300ms;
  ts::Client client(listener.endpoint(), options);
  const auto start = std::chrono::steady_clock::now();
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  REQUIRE_FALSE(reply.ok());
  // libzmq reports this listener as it does a CURVE broker meeting a client
  // with no key (the greeting dropped), so the message names both causes.
  CHECK_THAT(reply.error().message, Catch::StartsWith(listener.endpoint() + " accepts connections but drops") &&
                                        Catch::Contains("if it is no broker, is that the broker's client port?"));
  CHECK(std::chrono::steady_clock::now() - start < 2000ms);  // before the first attempt's timeout
}

TEST_CASE("client: a broker that starts after the call began is still reached", "[client]") {
  // The first attempt goes out while nobody listens; then the broker binds;
  // the request reaches it (by ZeroMQ's reconnect or by a retry) in time.
  const std::string endpoint = ts::testing::LoopbackEndpoint(ts::testing::FreeTcpPort());
  ts::Client client(endpoint, Fast(5, 200ms));
  std::optional<ts::Result<ts::Reply>> reply;
  std::atomic<bool> calling{false};
  std::thread caller([&] {
    calling = true;
    reply = client.Get("late", ".*");
  });
  REQUIRE(ts::testing::WaitUntil([&] { return calling.load(); }, 2s));
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); }, 1, endpoint);
  caller.join();
  REQUIRE(reply.has_value());
  REQUIRE(reply->ok());
  CHECK(reply->value().pairs.at(0).key == ts::Tuple{"late"});
}

TEST_CASE("client: a reply that is not a Reply is an error naming the endpoint", "[client]") {
  FakeBroker broker([](size_t, const std::string&) { return std::string("garbage!"); });
  ts::Client client(broker.endpoint(), Fast());
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().kind == ts::ErrorKind::kInternal);
  CHECK_THAT(reply.error().message, Catch::StartsWith("the reply from " + broker.endpoint() +
                                                      " is not a valid reply: "));
  CHECK(client.attempts_of_last_call() == 1);  // a bad reply is still a reply: no retry
}

TEST_CASE("client: a reply for another request is refused, an unnumbered broker reply is accepted",
          "[client]") {
  SECTION("another request's id") {
    FakeBroker broker([](size_t, const std::string&) {
      ts::Reply reply;
      reply.id = ts::RequestId{42, 99};
      return ts::EncodeReply(reply);
    });
    ts::Client client(broker.endpoint(), Fast());
    ts::Result<ts::Reply> reply = client.Get(".*", ".*");
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.error().kind == ts::ErrorKind::kInternal);
    CHECK_THAT(reply.error().message, Catch::Contains("answers request 99 of client 42"));
  }
  SECTION("the broker's own refusal, id zero") {
    FakeBroker broker([](size_t, const std::string&) {
      ts::Reply reply;
      reply.error = ts::Error{ts::ErrorKind::kServiceRefused, "client limit 32 reached"};
      return ts::EncodeReply(reply);
    });
    ts::Client client(broker.endpoint(), Fast());
    ts::Result<ts::Reply> reply = client.Get(".*", ".*");
    REQUIRE(reply.ok());
    REQUIRE_FALSE(reply.value().ok());
    CHECK(reply.value().error->kind == ts::ErrorKind::kServiceRefused);
  }
}

TEST_CASE("client: an endpoint ZeroMQ rejects is an error at each call, not a crash", "[client]") {
  ts::Client client("not-an-endpoint", Fast());
  ts::Result<ts::Reply> reply = client.Get(".*", ".*");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().kind == ts::ErrorKind::kUnavailable);
  CHECK(reply.error().message ==
        "'not-an-endpoint': not a valid ZeroMQ endpoint (Invalid argument); write it like tcp://127.0.0.1:5555");
  CHECK(ts::CheckEndpoint("tcp://127.0.0.1:5555").ok());
  CHECK(ts::CheckEndpoint("tcp://127.0.0.1:65535").ok());
  CHECK(ts::CheckEndpoint("tcp://[::1]:1").ok());
  CHECK(ts::CheckEndpoint("ipc:///tmp/tuplestar.sock").ok());
}

TEST_CASE("client: a tcp port outside 1..65535 is refused with the reason (libzmq would take 99999)", "[client]") {
  auto problem = [](const std::string& endpoint) {
    ts::Status status = ts::CheckEndpoint(endpoint);
    return status.ok() ? std::string("ok") : status.error().message;
  };
  CHECK(problem("tcp://127.0.0.1:99999") == "port 99999 is out of range 1..65535");
  CHECK(problem("tcp://127.0.0.1:0") == "port 0 is out of range 1..65535");
  CHECK(problem("tcp://127.0.0.1:55x") == "port '55x' is not a number in 1..65535");
  CHECK(problem("tcp://127.0.0.1:") == "port '' is not a number in 1..65535");
  CHECK(problem("tcp://127.0.0.1") == "no port; write it like tcp://127.0.0.1:5555");
  CHECK(problem("tcp://:5555") == "no host; write it like tcp://127.0.0.1:5555");
  ts::Client client("tcp://127.0.0.1:99999", Fast());
  ts::Result<ts::Reply> reply = client.Get("a", ".*");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().message == "'tcp://127.0.0.1:99999': port 99999 is out of range 1..65535");
}

TEST_CASE("client: SendRaw sends bytes unchanged and decodes the reply when it can", "[client]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::Client client(broker.endpoint(), Fast());
  const std::string bytes("\x00\xffnot a request", 15);

  ts::Result<ts::RawReply> raw = client.SendRaw(bytes);
  REQUIRE(raw.ok());
  CHECK(broker.received().at(0).body == bytes);
  REQUIRE(raw.value().decoded.has_value());
  REQUIRE_FALSE(raw.value().decoded->ok());
  CHECK(raw.value().decoded->error->kind == ts::ErrorKind::kMalformedRequest);
  CHECK(raw.value().frame == *EchoReply(bytes));

  FakeBroker garbler([](size_t, const std::string&) { return std::string("xyz"); });
  ts::Client raw_client(garbler.endpoint(), Fast());
  ts::Result<ts::RawReply> undecodable = raw_client.SendRaw("hello");
  REQUIRE(undecodable.ok());
  CHECK(undecodable.value().frame == "xyz");
  CHECK_FALSE(undecodable.value().decoded.has_value());
  CHECK_FALSE(undecodable.value().decode_error.empty());
}

TEST_CASE("client: CallWithId replays an id exactly", "[client]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::Client client(broker.endpoint(), Fast());
  ts::Request request = ts::MakePut({ts::Pair{{"a"}, {"1"}}});
  request.id = ts::RequestId{123, 7};
  REQUIRE(client.CallWithId(request).ok());
  REQUIRE(client.CallWithId(request).ok());
  CHECK(IdOf(broker.received().at(0).body) == ts::RequestId{123, 7});
  CHECK(IdOf(broker.received().at(1).body) == ts::RequestId{123, 7});
  CHECK(client.last_request_number() == 0);  // replays take no new number
}

TEST_CASE("client: SendShutdown sends a SHUTDOWN request and returns the acknowledgement", "[client]") {
  FakeBroker broker([](size_t, const std::string& body) { return EchoReply(body); });
  ts::Result<ts::Reply> ack = ts::SendShutdown(broker.endpoint(), Fast());
  REQUIRE(ack.ok());
  CHECK(ack.value().op_name == "SHUTDOWN");
  ts::Result<ts::Request> sent = ts::DecodeRequest(broker.received().at(0).body);
  REQUIRE(sent.ok());
  CHECK(sent.value().op_name == "SHUTDOWN");
  CHECK(sent.value().id.request_number == 1);

  FakeBroker silent([](size_t, const std::string&) -> std::optional<std::string> { return std::nullopt; });
  ts::Result<ts::Reply> lost = ts::SendShutdown(silent.endpoint(), Fast(0, 50ms));
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().message == "no reply from " + silent.endpoint() + " after 1 attempt of 50 ms");
  CHECK(ts::MakeStatusRequest().op_name == "STATUS");
}
