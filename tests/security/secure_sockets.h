// Shared by the socket tests of tests/security: a cluster's worth of key
// pairs, a server context with its ZAP handler, bounded receives, and a log
// sink the tests can read while the handler thread writes to it.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/security/secure_socket.h"
#include "common/security/zap_handler.h"

namespace ts::security::testing {

using namespace std::chrono_literals;

// Every bounded wait of these tests; a pass takes milliseconds.
inline constexpr std::chrono::milliseconds kWait = 10s;
inline constexpr cluster::Millis kTestZapPoll{20};

inline CurveKeyPair NewPair() {
  ts::Result<CurveKeyPair> pair = GenerateCurveKeyPair();
  REQUIRE(pair.ok());
  return pair.value();
}

// Log lines, readable from the test thread while other threads log.
class CapturedLog : public spdlog::sinks::base_sink<std::mutex> {
 public:
  bool Contains(const std::string& text) {
    std::lock_guard lock(mutex_);
    for (const std::string& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string All() {
    std::lock_guard lock(mutex_);
    std::string all;
    for (const std::string& line : lines_) all += line;
    return all;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    lines_.emplace_back(formatted.data(), formatted.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Sends the default logger to a CapturedLog for one scope.
class ScopedLogCapture {
 public:
  ScopedLogCapture() : previous_(spdlog::default_logger()), sink_(std::make_shared<CapturedLog>()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("security-test", sink_));
  }
  ~ScopedLogCapture() { spdlog::set_default_logger(previous_); }
  CapturedLog& log() { return *sink_; }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<CapturedLog> sink_;
};

// The parties of a small cluster and a server process's context and ZAP
// handler. Declare sockets after it: they close before the contexts.
struct SecureWorld {
  zmq::context_t server_context;
  zmq::context_t client_context;  // the connecting processes
  CurveKeyPair broker = NewPair();
  CurveKeyPair node = NewPair();
  CurveKeyPair admin = NewPair();
  CurveKeyPair client = NewPair();
  CurveKeyPair stranger = NewPair();  // in no allow-list
  std::unique_ptr<ZapHandler> zap;

  SecureWorld() {
    AllowList list;
    REQUIRE(list.Add({node.public_key, KeyRole::kNode, "node-1", "test"}).ok());
    REQUIRE(list.Add({broker.public_key, KeyRole::kBroker, "broker-1", "test"}).ok());
    REQUIRE(list.Add({admin.public_key, KeyRole::kAdmin, "admin", "test"}).ok());
    REQUIRE(list.Add({client.public_key, KeyRole::kClient, "client", "test"}).ok());
    ZapHandlerOptions options;
    options.poll_interval = kTestZapPoll;
    auto started = ZapHandler::Start(server_context, [list] { return ts::Result<AllowList>(list); }, options);
    REQUIRE(started.ok());
    zap = std::move(started).value();
  }
  ~SecureWorld() { zap.reset(); }  // before the contexts

  SocketSecurity ServerSide() { return SocketSecurity::CurveServer(*zap, broker); }
};

// A server socket of `security` for `domain`, bound to a free loopback port.
inline zmq::socket_t BindServer(const SocketSecurity& security, zmq::socket_type type, std::string_view domain,
                                std::string& endpoint) {
  ts::Result<zmq::socket_t> made = security.Server(type, domain);
  REQUIRE(made.ok());
  zmq::socket_t socket = std::move(made).value();
  socket.set(zmq::sockopt::linger, 0);
  socket.bind("tcp://127.0.0.1:*");
  endpoint = socket.get(zmq::sockopt::last_endpoint);
  return socket;
}

// A client socket presenting `pair` (nullptr: no key, the NULL mechanism),
// connected to `endpoint` whose server key it believes is `server_public`.
inline zmq::socket_t ConnectClient(zmq::context_t& context, zmq::socket_type type, const CurveKeyPair* pair,
                                   const CurveKey& server_public, const std::string& endpoint) {
  zmq::socket_t socket(context, type);
  socket.set(zmq::sockopt::linger, 0);
  if (pair != nullptr) REQUIRE(MakeCurveClient(socket, *pair, server_public).ok());
  socket.connect(endpoint);
  return socket;
}

// One whole message within `timeout`, or nullopt; `last` gets its last part
// (a ROUTER's routing-id part carries no peer properties; the data does).
inline std::optional<std::vector<std::string>> Receive(zmq::socket_t& socket, std::chrono::milliseconds timeout,
                                                       zmq::message_t* last = nullptr) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
  std::vector<std::string> parts;
  zmq::message_t part;
  do {
    if (!socket.recv(part, zmq::recv_flags::dontwait)) break;
    parts.emplace_back(part.data<char>(), part.size());
  } while (part.more());
  if (last != nullptr) last->move(part);
  return parts;
}

inline bool NothingWaiting(zmq::socket_t& socket) {
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  return zmq::poll(&item, 1, std::chrono::milliseconds(0)) == 0;
}

}  // namespace ts::security::testing
