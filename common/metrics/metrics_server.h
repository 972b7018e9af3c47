// Serves the latest metrics text over HTTP, for Prometheus to scrape:
// GET /metrics answers what Publish() last stored (text/plain; version=0.0.4);
// any other path is 404. The server runs on its own thread (cpp-httplib's
// accept loop, which ends when the server is destroyed); the binary's event
// loop renders the text and calls Publish() every kPublishInterval, so the
// HTTP thread never touches a core. Every connection has read and write
// timeouts.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace httplib {
class Server;
}

namespace ts::metrics {

struct MetricsServerDefaults {
  static constexpr std::chrono::milliseconds kPublishInterval{250};  // how stale a scrape may be
  static constexpr std::chrono::seconds kReadTimeout{2};
  static constexpr std::chrono::seconds kWriteTimeout{2};
  static constexpr std::chrono::seconds kStartTimeout{5};             // for its accept loop to run
  static constexpr std::chrono::milliseconds kStartPollInterval{1};
};

class MetricsServer {
 public:
  // Binds HOST:PORT ("127.0.0.1:9100"; port 0 picks a free one) and serves.
  // The error names the endpoint and why.
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& host_port);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void Publish(std::string text);
  int port() const { return port_; }
  const std::string& endpoint() const { return endpoint_; }  // "127.0.0.1:9100", as bound

 private:
  MetricsServer() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> finished_{false};  // the accept loop returned
  std::mutex mutex_;
  std::string text_;
  int port_ = 0;
  std::string endpoint_;
};

// "HOST:PORT" -> {host, port}; the error says what is wrong.
Result<std::pair<std::string, int>> ParseHostPort(const std::string& host_port);

}  // namespace ts::metrics
