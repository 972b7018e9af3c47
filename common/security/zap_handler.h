// The ZAP handler of one ZeroMQ context: a thread that answers every CURVE
// handshake on the context's server sockets with ZapPolicy's decision.
//
// Owned by an RAII object in the shell: Start binds kZapEndpoint (one handler
// per context) and starts the thread; the destructor sets the stop flag and
// joins (the loop polls with `poll_interval`, so that takes at most one
// interval). Declare it after the context and before the sockets it guards,
// so that it outlives them. Server sockets made by secure_socket.h set
// ZMQ_ZAP_ENFORCE_DOMAIN: with no handler bound, libzmq refuses every
// handshake instead of admitting everyone, so a handler that is gone fails
// closed.
//
// Refusals are logged (spdlog warn) at most `refusal_log_burst` per domain
// per `refusal_log_window`, with the key's fingerprint and the peer's
// address, and counted per domain; Counts() is safe from any thread, for
// `status`. Reload() (the shell calls it on SIGHUP) reads the allow-lists
// again through the loader; new handshakes see the new keys, connections
// already admitted stay; a failed reload keeps the old keys.
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/clock.h"
#include "common/security/allow_list.h"
#include "common/security/log_rate_limit.h"
#include "common/security/roles.h"
#include "common/security/zap_policy.h"

namespace ts::security {

struct ZapHandlerDefaults {
  static constexpr cluster::Millis kPollInterval{100};  // how soon the thread sees the stop flag
  static constexpr size_t kRefusalLogBurst = 5;
  static constexpr cluster::Millis kRefusalLogWindow{10'000};
};

struct ZapHandlerOptions {
  cluster::Millis poll_interval = ZapHandlerDefaults::kPollInterval;
  size_t refusal_log_burst = ZapHandlerDefaults::kRefusalLogBurst;
  cluster::Millis refusal_log_window = ZapHandlerDefaults::kRefusalLogWindow;
  // Viewed, not copied: the rules' strings must outlive the handler (the
  // cluster's are static).
  std::span<const DomainRule> rules = ClusterDomainRules();
};

struct ZapDomainCount {
  std::string domain;  // kUnlistedDomain counts requests for domains no rule names
  uint64_t admitted = 0;
  uint64_t refused = 0;
};

inline constexpr std::string_view kUnlistedDomain = "(unlisted)";

// Refusals of one kind, over every domain: reason is "unknown_key",
// "role_refused", "not_curve", "bad_credentials", "unknown_domain" or
// "malformed" (a request that is not ZAP).
struct ZapRefusalCount {
  std::string_view reason;
  uint64_t refused = 0;
};

class ZapHandler {
 public:
  using KeyLoader = std::function<Result<AllowList>()>;

  // Loads the keys once, binds kZapEndpoint and starts the thread. Fails if
  // the load fails or the endpoint is taken on this context.
  static Result<std::unique_ptr<ZapHandler>> Start(zmq::context_t& context, KeyLoader loader,
                                                   ZapHandlerOptions options = {});
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // Reads the allow-lists again; on error the old ones stay (and the error says why).
  Status Reload();

  zmq::context_t& context() const { return context_; }
  bool HasDomain(std::string_view domain) const;
  // False once the thread has ended (asked to, or a fatal socket error).
  bool running() const { return running_.load(); }

  uint64_t admitted(std::string_view domain) const;
  uint64_t refused(std::string_view domain) const;
  std::vector<ZapDomainCount> Counts() const;
  uint64_t malformed_requests() const { return malformed_.load(); }
  // Every reason, in a fixed order, zeros included (for metrics and status).
  std::vector<ZapRefusalCount> RefusalsByReason() const;
  uint64_t refused_total() const;  // every refusal, malformed requests included

 private:
  struct DomainState {
    DomainState(std::string name, LogRateLimiter limiter) : domain(std::move(name)), refusal_log(limiter) {}
    std::string domain;
    std::atomic<uint64_t> admitted{0};
    std::atomic<uint64_t> refused{0};
    LogRateLimiter refusal_log;  // the thread's only
  };

  ZapHandler(zmq::context_t& context, zmq::socket_t socket, KeyLoader loader, AllowList keys,
             ZapHandlerOptions options);
  void Run();
  void AnswerOne(cluster::TimePoint now);
  DomainState& StateOf(std::string_view domain);
  const DomainState* FindState(std::string_view domain) const;

  zmq::context_t& context_;
  zmq::socket_t socket_;  // REP, bound at kZapEndpoint; used by the thread only
  KeyLoader loader_;
  ZapHandlerOptions options_;
  mutable std::mutex policy_mutex_;  // Reload (any thread) against Decide (the thread)
  ZapPolicy policy_;
  std::deque<DomainState> domains_;  // fixed after construction; the last is kUnlistedDomain
  std::atomic<uint64_t> malformed_{0};
  // Indexed by ZapOutcome (kAdmitted's slot stays 0).
  std::array<std::atomic<uint64_t>, static_cast<size_t>(ZapOutcome::kRoleRefused) + 1> refused_by_outcome_{};
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{true};
  std::thread thread_;
};

}  // namespace ts::security
