// EchoCore: the decisions of bench/echo_node, the throughput ceiling. It is a
// node that speaks the real node<->broker protocol (schema/cluster_messages.h)
// but keeps no space: it registers as primary and answers every client
// request at once with an empty, well-formed Reply echoing the request's id
// and op. tuplestar's ops/s over echo_node's, behind the same broker with the
// same clients, is how close tuplestar comes to what the transport allows.
//
// Contract (pure: no sockets, threads or clock reads; the shell feeds it):
//  - It registers with term 1, or one above the term the broker says it
//    serves, every registration_retry until accepted; a BrokerStatus naming
//    another primary or a higher term starts that again.
//  - It heartbeats every heartbeat_interval (as primary once accepted), so
//    the broker keeps it live.
//  - Each ClientRequestFrame gets a ClientReplyFrame with the same tag at
//    once; a request frame that does not decode gets a kMalformedRequest
//    reply, so the client hears back either way.
#pragma once

#include <cstdint>
#include <vector>

#include "schema/cluster_messages.h"

namespace ts::bench {

struct EchoConfig {
  cluster::NodeId id = 1;
  cluster::Millis heartbeat_interval{100};
  cluster::Millis registration_retry{100};
};

struct EchoStats {
  uint64_t answered = 0;
  uint64_t undecodable = 0;
  uint64_t registrations_sent = 0;
};

class EchoCore {
 public:
  EchoCore(EchoConfig config, cluster::TimePoint now);

  // Appends what to send to the broker to `out` (so the shell can reuse one vector).
  void on_message(const cluster::BrokerToNode& message, cluster::TimePoint now,
                  std::vector<cluster::NodeToBroker>& out);
  void on_tick(cluster::TimePoint now, std::vector<cluster::NodeToBroker>& out);

  bool accepted() const { return accepted_; }
  uint64_t term() const { return term_; }
  const EchoStats& stats() const { return stats_; }
  bool shutdown_requested() const { return shutdown_requested_; }

 private:
  cluster::Heartbeat MakeHeartbeat() const;
  void StartRegistering(uint64_t above_term, cluster::TimePoint register_at);

  EchoConfig config_;
  uint64_t term_ = 1;
  bool accepted_ = false;
  bool shutdown_requested_ = false;
  cluster::TimePoint next_heartbeat_{0};
  cluster::TimePoint next_registration_{0};
  EchoStats stats_;
};

}  // namespace ts::bench
