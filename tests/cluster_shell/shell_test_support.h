// Support for the shell tests: a shell (RunBroker / RunNode) run on a thread
// of the test with real sockets on free loopback ports, and small helpers to
// play the other side (a fake node, a fake broker, a REQ client) with every
// receive bounded by a deadline.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "schema/cluster_codec.h"
#include "schema/codec.h"
#include "schema/frame_bundle.h"
#include "tests/support/process.h"

namespace ts::shell_test {

using namespace std::chrono_literals;
using namespace ts::cluster;

inline constexpr auto kReplyTimeout = 5s;  // generous: the box is shared; waits end early when met

// Runs `run(stop_flag)` on a thread; the destructor sets the flag and joins.
class ShellThread {
 public:
  explicit ShellThread(std::function<int(const volatile std::sig_atomic_t*)> run) {
    spdlog::set_level(spdlog::level::warn);
    thread_ = std::thread([this, run = std::move(run)] {
      exit_code_ = run(&stop_);
      done_ = true;
    });
  }
  ~ShellThread() {
    stop_ = 1;
    thread_.join();
  }
  void Stop() { stop_ = 1; }
  bool WaitDone(std::chrono::milliseconds timeout) const {
    return testing::WaitUntil([&] { return done_.load(); }, timeout);
  }
  int exit_code() const { return exit_code_; }

 private:
  volatile std::sig_atomic_t stop_ = 0;
  std::atomic<bool> done_{false};
  std::atomic<int> exit_code_{-1};
  std::thread thread_;
};

inline zmq::socket_t Connect(zmq::context_t& context, zmq::socket_type type, const std::string& endpoint) {
  zmq::socket_t socket(context, type);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);
  return socket;
}

// The next message on `socket` (all its parts), or nullopt after `timeout`.
inline std::optional<std::vector<std::string>> Receive(zmq::socket_t& socket, std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  std::vector<zmq::message_t> parts;
  if (!zmq::recv_multipart(socket, std::back_inserter(parts))) return std::nullopt;
  std::vector<std::string> texts;
  for (auto& part : parts) texts.push_back(part.to_string());
  return texts;
}

inline void SendAll(zmq::socket_t& socket, const std::vector<std::string>& parts) {
  for (size_t i = 0; i < parts.size(); ++i) {
    socket.send(zmq::buffer(parts[i]), i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

// A REQ exchange: one request frame, its reply decoded (nullopt on timeout).
inline std::optional<Reply> Ask(zmq::socket_t& req, const std::string& frame,
                                std::chrono::milliseconds timeout = kReplyTimeout) {
  req.send(zmq::buffer(frame));
  auto parts = Receive(req, timeout);
  if (!parts || parts->size() != 1) return std::nullopt;
  auto reply = DecodeReply(parts->front());
  if (!reply.ok()) return std::nullopt;
  return reply.value();
}

// The first value element of `reply`'s pair keyed `key`, with the given
// "name=" prefix, e.g. Fact(status, {"broker"}, "clients=") -> "2".
inline std::optional<std::string> Fact(const Reply& reply, const Tuple& key, const std::string& name) {
  for (const Pair& pair : reply.pairs) {
    if (pair.key != key) continue;
    for (const std::string& element : pair.value) {
      if (element.rfind(name, 0) == 0) return element.substr(name.size());
    }
  }
  return std::nullopt;
}

// The frames in received parts, a bundle's (schema/frame_bundle.h) opened,
// in order; a broken bundle stays as it is (it decodes to nothing).
template <class It>
std::deque<std::string> FramesOf(It first, It last) {
  std::deque<std::string> frames;
  for (It part = first; part != last; ++part) {
    Result<std::vector<std::string_view>> in = FramesIn(*part);
    if (!in.ok()) {
      frames.push_back(*part);
      continue;
    }
    for (std::string_view frame : in.value()) frames.emplace_back(frame);
  }
  return frames;
}

// Frames received on a (DEALER or SUB) socket and not looked at yet: a
// message from the broker or a node may carry several, a frame or a bundle
// per part.
inline std::deque<std::string>& UnreadFrames(zmq::socket_t& socket) {
  thread_local std::map<void*, std::deque<std::string>> unread;
  return unread[socket.handle()];
}

// Receives until a frame of type T arrives (others are handed to `other`,
// if given), or the timeout passes. Every part of a message is a frame.
template <class T, class Decoded, class Decode>
std::optional<T> ReceiveKind(zmq::socket_t& socket, Decode decode, std::chrono::milliseconds timeout,
                             const std::function<void(const Decoded&)>& other = {}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::deque<std::string>& unread = UnreadFrames(socket);
  while (!unread.empty() || std::chrono::steady_clock::now() < deadline) {
    if (unread.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto parts = Receive(socket, std::max(left, std::chrono::milliseconds(1)));
      if (!parts) return std::nullopt;
      unread = FramesOf(parts->begin(), parts->end());
    }
    const std::string frame = std::move(unread.front());
    unread.pop_front();
    auto message = decode(frame);
    if (!message.ok()) continue;
    if (const T* wanted = std::get_if<T>(&message.value())) return *wanted;
    if (other) other(message.value());
  }
  return std::nullopt;
}

}  // namespace ts::shell_test
