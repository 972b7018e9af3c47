// etcd_bench's connection to one etcd member's JSON gateway: one HTTP/1.1
// keep-alive connection (cpp-httplib, blocking) with a connect, read and write
// timeout, one request at a time. HTTP/1.1 pipelining is not used: etcd's Go
// server reads a connection's next request only after answering the one
// before, so requests in flight come from several connections (etcd_bench's
// depth is connections per client). A request that fails (timeout, refused,
// reset) is an error of kind "http_<httplib error>"; the client reconnects on
// the next request, after a short pause when connecting failed.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/peers/peer_keys.h"
#include "bench/peers/peer_load.h"

namespace httplib {
class Client;
}

namespace ts::bench::peers {

struct EtcdEndpoint {
  std::string host;
  int port = 0;
  std::string ToString() const { return "http://" + host + ":" + std::to_string(port); }
};

// "http://127.0.0.1:2379,127.0.0.1:2381" -> endpoints; an error message naming the bad part otherwise.
bool ParseEtcdEndpoints(const std::string& text, std::vector<EtcdEndpoint>& endpoints, std::string& error);

struct EtcdTimeouts {
  std::chrono::milliseconds connect{1'000};
  std::chrono::milliseconds reply{5'000};  // read and write
  std::chrono::milliseconds reconnect_pause{100};
};

enum class EtcdWorkload { kWrite, kRead };

class EtcdConnection : public PeerConnection {
 public:
  EtcdConnection(const EtcdEndpoint& endpoint, const EtcdTimeouts& timeouts, EtcdWorkload workload,
                 bool serializable, PeerKeyMaker keys);
  ~EtcdConnection() override;
  EtcdConnection(const EtcdConnection&) = delete;
  EtcdConnection& operator=(const EtcdConnection&) = delete;

  void RunRound(size_t count, const std::function<void(const OpOutcome&)>& done) override;

 private:
  std::unique_ptr<httplib::Client> client_;
  EtcdTimeouts timeouts_;
  EtcdWorkload workload_;
  bool serializable_;
  PeerKeyMaker keys_;
};

// One gateway call outside the measured load (preload, checks): the HTTP
// status (or -1 when no response came) and the body or the transport error.
struct EtcdCall {
  int status = -1;
  std::string body;
};
EtcdCall EtcdPost(const EtcdEndpoint& endpoint, const EtcdTimeouts& timeouts, const std::string& path,
                  const std::string& body);

struct EtcdPreloadResult {
  uint64_t written = 0;
  double seconds = 0;
  std::string error;  // the first failure; empty when every transaction succeeded
};

// Puts KeySpaceKey(0 .. key_space-1) with random values, kEtcdMaxTxnOps per
// transaction, so that reads find their keys.
EtcdPreloadResult PreloadEtcd(const EtcdEndpoint& endpoint, const EtcdTimeouts& timeouts, uint64_t key_space,
                              size_t value_size);

}  // namespace ts::bench::peers
