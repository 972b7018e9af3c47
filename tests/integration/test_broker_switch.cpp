// A client moving between the brokers of a real pair (issue 11, item 4): two
// tsbrokers and three tsnodes, the client library with the broker list.
//  - Exactly once across brokers: broker 1's path is a proxy that forwards the
//    request to the real broker 1 and drops the reply (a broker that died
//    after passing the request on). The client times out, sends the same
//    frame through broker 2; the primary answers from its stored reply. The
//    request is a PUT of a new key, which applied twice would be refused
//    "key present".
//  - Shutdown through the list with broker 1 dead (SIGKILL: its port refuses;
//    SIGSTOP: it takes the connection and never answers): broker 2 carries it,
//    every node and broker 2 exit, and broker 1 cost one attempt.
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

#include <zmq.hpp>

#include "clients/client_transport.h"
#include "tests/integration/require.h"

namespace ts::itest {
namespace {

using Clock = std::chrono::steady_clock;
using testing::WaitUntil;

constexpr Millis kAttempt{2'000};  // the switching client's wait per attempt

ClusterOptions PairOptions() {
  ClusterOptions options;
  options.broker_count = 2;
  options.liveness = 10;  // no failover while a test runs on a loaded machine
  return options;
}

ClientOptions SwitchingOptions() {
  ClientOptions options;
  options.request_timeout = kAttempt;
  options.retries = 2;
  return options;
}

// A ROUTER on a free port that passes each request to `broker` through a
// DEALER and throws the broker's reply away. An event loop in its own
// thread, ended by the destructor.
class ReplyDroppingProxy {
 public:
  explicit ReplyDroppingProxy(const std::string& broker)
      : front_(context_, zmq::socket_type::router), back_(context_, zmq::socket_type::dealer) {
    front_.set(zmq::sockopt::linger, 0);
    back_.set(zmq::sockopt::linger, 0);
    front_.bind("tcp://127.0.0.1:*");
    endpoint_ = front_.get(zmq::sockopt::last_endpoint);
    back_.connect(broker);
    thread_ = std::thread([this] { Loop(); });
  }
  ~ReplyDroppingProxy() {
    stop_ = true;
    thread_.join();
  }
  const std::string& endpoint() const { return endpoint_; }
  int forwarded() const { return forwarded_; }
  int replies_dropped() const { return dropped_; }

 private:
  static constexpr Millis kPollSlice{10};

  static std::vector<zmq::message_t> ReadAll(zmq::socket_t& socket) {
    std::vector<zmq::message_t> parts;
    zmq::message_t part;
    while (socket.recv(part, zmq::recv_flags::dontwait)) {
      const bool more = part.more();
      parts.push_back(std::move(part));
      if (!more) break;
    }
    return parts;
  }

  void Loop() {
    while (!stop_) {
      zmq::pollitem_t items[] = {{front_.handle(), 0, ZMQ_POLLIN, 0}, {back_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, kPollSlice);
      if ((items[0].revents & ZMQ_POLLIN) != 0) {
        std::vector<zmq::message_t> parts = ReadAll(front_);  // [peer][empty][request]
        if (parts.size() >= 2) {
          back_.send(zmq::message_t(), zmq::send_flags::sndmore);
          back_.send(parts.back(), zmq::send_flags::none);
          ++forwarded_;
        }
      }
      if ((items[1].revents & ZMQ_POLLIN) != 0 && !ReadAll(back_).empty()) ++dropped_;
    }
  }

  zmq::context_t context_{1};
  zmq::socket_t front_;
  zmq::socket_t back_;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::atomic<int> forwarded_{0};
  std::atomic<int> dropped_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("integration: switch - a request whose reply broker 1 lost is applied once through broker 2",
          "[integration][switch]") {
  Cluster cluster(PairOptions());
  RequireStarted(cluster);
  const std::vector<std::string> brokers = SplitEndpoints(cluster.client_endpoint());
  REQUIRE(brokers.size() == 2);
  ReplyDroppingProxy proxy(brokers[0]);
  Client client(proxy.endpoint() + "," + brokers[1], cluster.WithKeys(SwitchingOptions()));

  const auto start = Clock::now();
  Result<Reply> put = client.Put({Pair{{"once", "1"}, {"first"}}});
  const auto elapsed = Clock::now() - start;

  INFO((put.ok() ? (put.value().error ? put.value().error->message : "") : put.error().message));
  REQUIRE(put.ok());
  CHECK(put.value().ok());
  CHECK(put.value().rejected.empty());  // applied twice, it would say "key present"
  CHECK(proxy.forwarded() == 1);        // broker 1's path took it once and lost the answer
  CHECK(proxy.replies_dropped() == 1);
  CHECK(client.current_endpoint() == brokers[1]);
  CHECK(client.attempts_of_last_call() == 2);
  CHECK(elapsed < kAttempt + kAttempt);  // one timeout at the lost path, then the answer

  // The write is there once: the same PUT as a new request is refused.
  Client other = cluster.NewClient();
  Result<Reply> again = other.Put({Pair{{"once", "1"}, {"second"}}});
  REQUIRE(again.ok());
  REQUIRE(again.value().rejected.size() == 1);
  CHECK(again.value().rejected[0].reason == RejectReason::kKeyPresent);
  Result<std::map<std::string, std::string>> held = ReadAll(other, "once,.*");
  REQUIRE(held.ok());
  CHECK(held.value() == std::map<std::string, std::string>{{"once,1", "first"}});
}

TEST_CASE("integration: switch - a shutdown through the list with broker 1 dead stops every node and broker 2",
          "[integration][switch]") {
  const int how = GENERATE(SIGKILL, SIGSTOP);
  INFO("broker 1 got " << (how == SIGKILL ? "SIGKILL (its port refuses)" : "SIGSTOP (bound, never answers)"));
  Cluster cluster(PairOptions());
  RequireStarted(cluster);
  REQUIRE(cluster.NewClient().Put({Pair{{"kept"}, {"yes"}}}).ok());
  cluster.broker(1).Signal(how);
  if (how == SIGKILL) REQUIRE(cluster.broker(1).Wait(kProcessExitTimeout).has_value());

  const auto start = Clock::now();
  Result<Reply> ack = SendShutdown(cluster.shutdown_endpoint(), cluster.WithKeys(SwitchingOptions()));
  const auto elapsed = Clock::now() - start;
  INFO((ack.ok() ? "" : ack.error().message));
  REQUIRE(ack.ok());
  CHECK(ack.value().op_name == "SHUTDOWN");
  CHECK(elapsed < kAttempt + kAttempt);  // broker 1 cost one attempt at most

  CHECK(cluster.broker(2).Wait(kProcessExitTimeout) == 0);
  for (uint32_t id : cluster.node_ids()) {
    INFO("node " << id);
    CHECK(cluster.node(id).Wait(kProcessExitTimeout) == 0);
    Result<std::map<std::string, std::string>> saved = ReadSnapshot(cluster.save_path(id));
    REQUIRE(saved.ok());
    CHECK(saved.value() == std::map<std::string, std::string>{{"kept", "yes"}});
  }
  if (how == SIGSTOP) {
    cluster.broker(1).Signal(SIGKILL);
    CHECK(cluster.broker(1).Wait(kProcessExitTimeout).has_value());
  }
}

}  // namespace ts::itest
