// Watching a ZeroMQ socket's events (zmq_socket_monitor) in a test: wait,
// with a deadline, for a handshake to succeed or fail, and look back at
// every event seen. Lets a test assert "this peer was refused" on a
// condition instead of sleeping. Header-only, on cppzmq.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace ts::testing {

// Every way a handshake can fail, as one mask.
inline constexpr int kHandshakeFailed =
    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
inline constexpr int kHandshakeEvents = kHandshakeFailed | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;

struct SocketEvent {
  uint16_t event = 0;
  uint32_t value = 0;  // for failures: the errno, protocol error or ZAP status code
  std::string address;
};

class SocketEvents {
 public:
  // Starts monitoring `watched` (on `context`) for the events in `mask`.
  SocketEvents(zmq::context_t& context, zmq::socket_t& watched, int mask = kHandshakeEvents)
      : endpoint_("inproc://ts-test-monitor-" + std::to_string(NextId())), events_(context, zmq::socket_type::pair) {
    if (zmq_socket_monitor(watched.handle(), endpoint_.c_str(), mask) != 0) {
      throw std::runtime_error(std::string("zmq_socket_monitor: ") + zmq_strerror(zmq_errno()));
    }
    events_.set(zmq::sockopt::linger, 0);
    events_.connect(endpoint_);
  }

  // The first event in `mask` not yet returned by an earlier WaitFor, waiting
  // at most `timeout`; nullopt at the deadline.
  std::optional<SocketEvent> WaitFor(int mask, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      for (; next_unreturned_ < seen_.size(); ++next_unreturned_) {
        if ((seen_[next_unreturned_].event & mask) != 0) return seen_[next_unreturned_++];
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      zmq::pollitem_t item{events_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, left);
      Drain();
    }
  }

  // Every event received so far (reads what is pending first).
  const std::vector<SocketEvent>& Seen() {
    Drain();
    return seen_;
  }
  size_t CountOf(int mask) {
    size_t count = 0;
    for (const SocketEvent& event : Seen()) count += (event.event & mask) != 0 ? 1 : 0;
    return count;
  }

 private:
  static uint64_t NextId() {
    static std::atomic<uint64_t> next{0};
    return next++;
  }

  void Drain() {
    while (true) {
      zmq::message_t header;
      if (!events_.recv(header, zmq::recv_flags::dontwait)) return;
      SocketEvent event;
      if (header.size() >= 6) {
        std::memcpy(&event.event, header.data(), sizeof(event.event));
        std::memcpy(&event.value, header.data<char>() + 2, sizeof(event.value));
      }
      zmq::message_t address;
      if (header.more() && events_.recv(address, zmq::recv_flags::none)) {
        event.address.assign(address.data<char>(), address.size());
      }
      seen_.push_back(std::move(event));
    }
  }

  std::string endpoint_;
  zmq::socket_t events_;
  std::vector<SocketEvent> seen_;
  size_t next_unreturned_ = 0;
};

}  // namespace ts::testing
