#include "common/metrics/metrics_server.h"

#include <httplib.h>

namespace ts::metrics {

Result<std::pair<std::string, int>> ParseHostPort(const std::string& host_port) {
  const size_t colon = host_port.rfind(':');
  const auto bad = [&](const std::string& why) {
    return Error{ErrorKind::kMalformedRequest, "metrics endpoint '" + host_port + "': " + why + " (HOST:PORT, e.g. 127.0.0.1:9100)"};
  };
  if (colon == std::string::npos || colon == 0) return bad("no HOST:PORT");
  const std::string port_text = host_port.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
    return bad("the port is not a number");
  }
  const int port = std::stoi(port_text);
  if (port > 65535) return bad("port " + port_text + " is out of range 0..65535");
  return std::pair<std::string, int>(host_port.substr(0, colon), port);
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& host_port) {
  Result<std::pair<std::string, int>> parsed = ParseHostPort(host_port);
  if (!parsed.ok()) return parsed.error();
  const auto& [host, port] = parsed.value();
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  server->server_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *server->server_;
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a
  // second server would share a busy port silently instead of failing.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_read_timeout(MetricsServerDefaults::kReadTimeout);
  http.set_write_timeout(MetricsServerDefaults::kWriteTimeout);
  MetricsServer* self = server.get();
  http.Get("/metrics", [self](const httplib::Request&, httplib::Response& response) {
    std::string text;
    {
      std::lock_guard<std::mutex> lock(self->mutex_);
      text = self->text_;
    }
    response.set_content(text, "text/plain; version=0.0.4; charset=utf-8");
  });
  const int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    return Error{ErrorKind::kUnavailable, "cannot listen on the metrics endpoint " + host_port +
                                              " (in use, or not an address of this host)"};
  }
  server->port_ = bound;
  server->endpoint_ = host + ":" + std::to_string(bound);
  server->thread_ = std::thread([self] {
    self->server_->listen_after_bind();
    self->finished_ = true;
  });
  // Until the accept loop runs: a stop() before it starts would be lost, and
  // the thread would then serve (and the destructor wait) forever.
  const auto deadline = std::chrono::steady_clock::now() + MetricsServerDefaults::kStartTimeout;
  while (!http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(MetricsServerDefaults::kStartPollInterval);
  }
  if (!http.is_running()) {
    return Error{ErrorKind::kInternal, "the metrics server on " + server->endpoint_ + " did not start"};
  }
  return server;
}

MetricsServer::~MetricsServer() {
  if (!thread_.joinable()) return;
  // stop() ends a running accept loop; one that had not started yet would
  // miss it, so ask until the thread says it is done.
  while (!finished_) {
    server_->stop();
    std::this_thread::sleep_for(MetricsServerDefaults::kStartPollInterval);
  }
  thread_.join();
}

void MetricsServer::Publish(std::string text) {
  std::lock_guard<std::mutex> lock(mutex_);
  text_ = std::move(text);
}

}  // namespace ts::metrics
