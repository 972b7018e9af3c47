// A real ZeroMQ ROUTER on a free loopback port that plays the broker's client
// endpoint for the client library's tests. It runs in its own thread (an
// event loop polling with a short timeout and a stop flag) and answers each
// request frame with whatever the test's handler returns; nullopt drops the
// request, as a lost message or a dead primary would. `handshake_delay` > 0:
// a ZAP handler (RFC 27) in the same loop admits every peer only after that
// long, so the ZeroMQ handshake itself is slow (a CURVE broker far away).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "schema/codec.h"
#include "schema/frame_bundle.h"

namespace ts::testing {

struct ReceivedFrame {
  std::string routing_id;  // the peer's identity as the ROUTER saw it
  std::string body;        // the request frame (after the empty delimiter)
};

class FakeBroker {
 public:
  // Returns the reply frame for request number `index` (0-based, in arrival
  // order), or nullopt to drop it.
  using Handler = std::function<std::optional<std::string>(size_t index, const std::string& body)>;

  // `batch` > 1: hold replies until that many requests came, then answer
  // them in reverse order (to show that a pipelined client matches replies).
  // `bind_to`: where to listen; by default a free loopback port.
  explicit FakeBroker(Handler handler, size_t batch = 1, const std::string& bind_to = "tcp://127.0.0.1:*",
                      std::chrono::milliseconds handshake_delay = std::chrono::milliseconds(0))
      : handler_(std::move(handler)), batch_(batch), handshake_delay_(handshake_delay),
        socket_(context_, zmq::socket_type::router) {
    if (handshake_delay_.count() > 0) {
      zap_.emplace(context_, zmq::socket_type::rep);
      zap_->set(zmq::sockopt::linger, 0);
      zap_->bind("inproc://zeromq.zap.01");
      socket_.set(zmq::sockopt::zap_domain, "fake");  // NULL peers go through ZAP too
    }
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(bind_to);
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeBroker() {
    stop_ = true;
    thread_.join();
  }
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;

  const std::string& endpoint() const { return endpoint_; }

  std::vector<ReceivedFrame> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }
  // ZeroMQ messages received (a bundle of requests is one).
  size_t messages_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }
  size_t received_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_.size();
  }

 private:
  static constexpr std::chrono::milliseconds kPollSlice{10};

  void Loop() {
    std::vector<std::pair<std::string, std::string>> pending;  // (routing id, reply)
    while (!stop_) {
      zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0},
                                 {zap_ ? zap_->handle() : nullptr, 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, zap_ ? 2 : 1, kPollSlice);
      if (zap_ && (items[1].revents & ZMQ_POLLIN)) AnswerZap();
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> parts;
      zmq::message_t part;
      while (socket_.recv(part, zmq::recv_flags::dontwait)) {
        bool more = part.more();
        parts.push_back(std::move(part));
        if (!more) break;
      }
      if (parts.size() < 2) continue;
      // A pipelined client sends what it has ready as one bundle: each of
      // its requests counts as received on its own, in order.
      std::vector<std::string> bodies{parts.back().to_string()};
      if (Result<std::vector<std::string_view>> in = FramesIn(bodies[0]); in.ok() && IsBundle(bodies[0])) {
        bodies.assign(in.value().begin(), in.value().end());
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++messages_;
      }
      for (const std::string& body : bodies) {
        ReceivedFrame frame{parts.front().to_string(), body};
        size_t index;
        {
          std::lock_guard<std::mutex> lock(mutex_);
          index = received_.size();
          received_.push_back(frame);
        }
        std::optional<std::string> reply = handler_(index, frame.body);
        if (!reply) continue;
        pending.emplace_back(frame.routing_id, *reply);
      }
      if (pending.size() < batch_) continue;
      for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
        socket_.send(zmq::buffer(it->first), zmq::send_flags::sndmore);
        socket_.send(zmq::message_t(), zmq::send_flags::sndmore);
        socket_.send(zmq::buffer(it->second), zmq::send_flags::none);
      }
      pending.clear();
    }
  }

  // A ZAP request: version, request id, domain, address, identity, mechanism,
  // credentials. After the delay: version, the same id, 200 OK, no user id or metadata.
  void AnswerZap() {
    std::vector<zmq::message_t> parts;
    zmq::message_t part;
    while (zap_->recv(part, zmq::recv_flags::dontwait)) {
      const bool more = part.more();
      parts.push_back(std::move(part));
      if (!more) break;
    }
    if (parts.size() < 2) return;
    std::this_thread::sleep_for(handshake_delay_);  // the slow handshake this broker plays
    zap_->send(zmq::buffer(std::string("1.0")), zmq::send_flags::sndmore);
    zap_->send(parts[1], zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(std::string("200")), zmq::send_flags::sndmore);
    zap_->send(zmq::buffer(std::string("OK")), zmq::send_flags::sndmore);
    zap_->send(zmq::message_t(), zmq::send_flags::sndmore);
    zap_->send(zmq::message_t(), zmq::send_flags::none);
  }

  Handler handler_;
  size_t batch_;
  std::chrono::milliseconds handshake_delay_;
  zmq::context_t context_{1};
  std::optional<zmq::socket_t> zap_;  // declared after context_: closed before it
  zmq::socket_t socket_;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<ReceivedFrame> received_;
  size_t messages_ = 0;
  std::thread thread_;
};

// The usual answer: echoes the request's id and op, and returns one pair
// (key_pattern, value_pattern) so a test can tell which request it answers.
inline std::optional<std::string> EchoReply(const std::string& body) {
  Result<Request> request = DecodeRequest(body);
  if (!request.ok()) {
    Reply reply;
    reply.error = Error{ErrorKind::kMalformedRequest, request.error().message};
    return EncodeReply(reply);
  }
  Reply reply;
  reply.id = request.value().id;
  reply.op_name = request.value().op_name;
  reply.pairs.push_back(Pair{{request.value().key_pattern}, {request.value().value_pattern}});
  reply.served_by = 7;
  reply.term = 3;
  return EncodeReply(reply);
}

inline RequestId IdOf(const std::string& body) {
  Result<Request> request = DecodeRequest(body);
  return request.ok() ? request.value().id : RequestId{};
}

}  // namespace ts::testing
