#include "bench/peers/etcd_connection.h"

#include <httplib.h>

#include <thread>

#include "bench/op_mix.h"
#include "bench/peers/etcd_gateway.h"

namespace ts::bench::peers {
namespace {

constexpr const char* kJson = "application/json";

void ApplyTimeouts(httplib::Client& client, const EtcdTimeouts& timeouts) {
  client.set_connection_timeout(timeouts.connect);
  client.set_read_timeout(timeouts.reply);
  client.set_write_timeout(timeouts.reply);
  client.set_keep_alive(true);
  // httplib writes the headers and the body separately: without TCP_NODELAY
  // the body waits for the delayed ACK of the headers (40 ms on Linux).
  client.set_tcp_nodelay(true);
}

std::string TransportErrorKind(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
      return "connect_failed";
    case httplib::Error::Read:
      return "read_failed";  // includes the read timeout
    case httplib::Error::Write:
      return "write_failed";
    default:
      return "http_client_error";
  }
}

}  // namespace

bool ParseEtcdEndpoints(const std::string& text, std::vector<EtcdEndpoint>& endpoints, std::string& error) {
  endpoints.clear();
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    const std::string original = part;
    if (part.rfind("http://", 0) == 0) part = part.substr(7);
    while (!part.empty() && part.back() == '/') part.pop_back();
    const size_t colon = part.rfind(':');
    if (part.empty() || colon == std::string::npos || colon == 0 || colon + 1 >= part.size()) {
      error = "endpoint \"" + original + "\" is not host:port (or http://host:port)";
      return false;
    }
    int port = 0;
    for (char c : part.substr(colon + 1)) {
      if (c < '0' || c > '9' || port > 65535) {
        error = "endpoint \"" + original + "\" has a port that is not a number from 1 to 65535";
        return false;
      }
      port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) {
      error = "endpoint \"" + original + "\" has a port that is not a number from 1 to 65535";
      return false;
    }
    endpoints.push_back({part.substr(0, colon), port});
  }
  if (endpoints.empty()) {
    error = "no endpoint given";
    return false;
  }
  return true;
}

EtcdConnection::EtcdConnection(const EtcdEndpoint& endpoint, const EtcdTimeouts& timeouts, EtcdWorkload workload,
                               bool serializable, PeerKeyMaker keys)
    : client_(std::make_unique<httplib::Client>(endpoint.host, endpoint.port)),
      timeouts_(timeouts),
      workload_(workload),
      serializable_(serializable),
      keys_(std::move(keys)) {
  ApplyTimeouts(*client_, timeouts_);
}

EtcdConnection::~EtcdConnection() = default;

void EtcdConnection::RunRound(size_t count, const std::function<void(const OpOutcome&)>& done) {
  for (size_t i = 0; i < count; ++i) {
    const bool write = workload_ == EtcdWorkload::kWrite;
    const std::string body =
        write ? EtcdPutBody(keys_.NextWriteKey(), keys_.NextValue()) : EtcdRangeBody(keys_.NextReadKey(), serializable_);
    OpOutcome outcome;
    outcome.sent_at = Clock::now();
    httplib::Result response = client_->Post(write ? kEtcdPutPath : kEtcdRangePath, body, kJson);
    outcome.completed_at = Clock::now();
    if (!response) {
      outcome.kind = OpOutcome::Kind::kError;
      outcome.error_kind = TransportErrorKind(response.error());
      done(outcome);
      if (outcome.error_kind == "connect_failed") std::this_thread::sleep_for(timeouts_.reconnect_pause);
      continue;
    }
    const EtcdVerdict verdict = write ? JudgeEtcdPut(response->status, response->body)
                                      : JudgeEtcdRange(response->status, response->body);
    outcome.kind = verdict.kind;
    outcome.error_kind = verdict.error_kind;
    done(outcome);
  }
}

EtcdCall EtcdPost(const EtcdEndpoint& endpoint, const EtcdTimeouts& timeouts, const std::string& path,
                  const std::string& body) {
  httplib::Client client(endpoint.host, endpoint.port);
  ApplyTimeouts(client, timeouts);
  httplib::Result response = client.Post(path, body, kJson);
  if (!response) return {-1, httplib::to_string(response.error())};
  return {response->status, response->body};
}

EtcdPreloadResult PreloadEtcd(const EtcdEndpoint& endpoint, const EtcdTimeouts& timeouts, uint64_t key_space,
                              size_t value_size) {
  EtcdPreloadResult result;
  const Clock::time_point started = Clock::now();
  httplib::Client client(endpoint.host, endpoint.port);
  ApplyTimeouts(client, timeouts);
  PeerKeyMaker values("preload", 0, 0, key_space, value_size, key_space);
  uint64_t next = 0;
  while (next < key_space) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (; next < key_space && pairs.size() < kEtcdMaxTxnOps; ++next) pairs.emplace_back(KeySpaceKey(next), values.NextValue());
    httplib::Result response = client.Post(kEtcdTxnPath, EtcdTxnPutBody(pairs), kJson);
    if (!response) {
      result.error = "a transaction to " + endpoint.ToString() + " failed: " + httplib::to_string(response.error());
      break;
    }
    const EtcdVerdict verdict = JudgeEtcdTxn(response->status, response->body);
    if (verdict.kind != OpOutcome::Kind::kOk) {
      result.error = "a transaction to " + endpoint.ToString() + " was refused (" + verdict.error_kind + "): " +
                     (verdict.detail.empty() ? response->body.substr(0, 200) : verdict.detail);
      break;
    }
    result.written += pairs.size();
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace ts::bench::peers
