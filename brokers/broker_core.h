// BrokerCore: the proxy's decisions, as a pure state machine.
//
// It knows the clients (slots, at most max_clients), the nodes it has heard
// and whether each is live (common/liveness.h: heard within primary_liveness,
// or marked dead when it announced its stop), which node is primary in which
// term and whether it is live, the highest committed position it has relayed
// to a client, and the shutdown under way. The tsbroker shell and the
// simulation feed it the same calls: client frames, decoded node messages,
// frames on the shutdown endpoint, and the time; each call returns
// BrokerActions (broker_actions.h) to carry out. No sockets, threads or clock
// reads; the shell decides nothing but how to move bytes (and answers STATUS
// from ClusterView, which only reads this core).
//
// States and events, the whole machine (zguide bstar style):
//
//   event \ state        | serving                     | stopping                  | stopped
//   ---------------------+-----------------------------+---------------------------+------------------
//   client request       | to the primary, or held     | "shutting down" (counted) | "shutting down"
//   pre-vote, registr.   | answered (fencing below)    | ignored, counted          | ignored
//   heartbeat, reply     | liveness; relayed           | same; "stopped" confirms  | ignored
//   SHUTDOWN             | -> stopping (handshake)     | answered at the end       | answered at once
//   other shutdown frame | "malformed request"         | same                      | same
//   tick                 | primary loss, hold, idle    | same; resend; -> stopped  | nothing
//
// "stopping" is ShutdownHandshake (shutdown_handshake.h): it ends confirmed
// (at once when no node is live) or timed out, answers the operators and sets
// BrokerActions::exit, which the shell obeys at the end of its turn. While it
// runs no term may start (a stopping service must not elect a new primary),
// and a client is told so rather than left to time out.
//
// Contract while serving:
//  - A client request goes to the current primary only, tagged with the
//    client's address. With no live primary it waits (hold_time), then the
//    client gets an "unavailable" reply. A client past max_clients gets
//    "service refused" and no slot. A slot frees when its client leaves, or
//    after client_idle_timeout without a request or reply (never while one of
//    its requests is still out).
//  - Each request gets a token (ClientTag); the node's reply carries it back,
//    so replies are matched without decoding. Requests are kept until
//    answered; when a new primary registers, the unanswered ones are sent to
//    it again (exactly-once on the node makes that safe), so a failover loses
//    no request. A held request leaves with the primary's next heartbeat.
//  - Replies go back in the primary's order; a reply from a node that is not
//    the current primary, an ill-formed reply, or one for a client without an
//    outstanding request is dropped and counted.
//  - The primary is live while its primary heartbeats of the served term come
//    within primary_liveness; a heartbeat saying it is not primary (it stepped
//    down, or stopped) makes it dead at once.
//  - Registration: accepted only with the proof of its term (the voters, a
//    majority of the broker's own cluster_size, --cluster-size: a
//    registration naming another size is refused), and a term above
//    the one served (or the same term from the same node), and only from a
//    node whose log holds the highest committed position relayed so far. The
//    safety is the proof's: the nodes vote once per term, durably, only for a
//    log at least as fresh as theirs, so at most one node per term can show a
//    majority and it holds every acknowledged write; a fresh broker that
//    remembers nothing checks the proof the same way. The term and committed
//    position the broker remembers only refuse more (a stale primary of an
//    older term is not served again).
//  - A pre-vote is granted only while the current primary is not live toward
//    the broker, with the same log condition.
//  - Refusals are said (events: log lines, status) once per node and reason:
//    a candidate asking again, with the same log, for the same reason, is
//    answered but not reported again. While candidates are refused because
//    their logs lack the committed position (the nodes that hold the
//    acknowledged history are down), waiting_for_history() says so, and the
//    events kServiceWaiting / kServiceBack mark when that starts, changes
//    (another node refused, or with another log) and ends.
//  - Generated replies ("service refused", "unavailable") echo the request id
//    when the request frame decodes; the broker looks at nothing else in it.
//    Their messages say why without repeating the kind (a client shows
//    "service refused: " + message).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "brokers/broker_actions.h"
#include "brokers/broker_config.h"
#include "brokers/shutdown_handshake.h"
#include "common/liveness.h"
#include "schema/cluster_messages.h"

namespace ts::cluster {

enum class BrokerPhase { kServing, kStopping, kStopped };

// The node a node-to-broker message comes from.
NodeId SenderOf(const NodeToBroker& message);

struct BrokerStats {
  uint64_t requests_forwarded = 0;
  uint64_t requests_reforwarded = 0;   // sent again to a new primary
  uint64_t replies_relayed = 0;
  uint64_t clients_refused = 0;
  uint64_t requests_unavailable = 0;   // held past hold_time
  uint64_t replies_ill_formed = 0;
  uint64_t replies_departed = 0;       // for a client without an outstanding request
  uint64_t replies_not_primary = 0;    // from a node that is not the current primary
  uint64_t node_frames_ill_formed = 0; // counted by the shell via on_ill_formed_node_frame
  uint64_t slots_expired = 0;
  uint64_t requests_refused_stopping = 0;  // client requests answered "shutting down"
  uint64_t terms_refused_stopping = 0;     // pre-votes and registrations ignored while stopping
  uint64_t shutdown_frames_refused = 0;    // frames on the shutdown endpoint that were not a SHUTDOWN
  uint64_t refusals_repeated = 0;          // pre-votes and registrations refused again for a reason said already
};

class BrokerCore {
 public:
  BrokerCore(BrokerConfig config, TimePoint now);

  BrokerActions on_client_frame(const ClientAddress& client, std::string frame, TimePoint now);
  BrokerActions on_node_message(const NodeToBroker& message, TimePoint now);
  // The client's connection is known to be gone (when the shell can tell).
  BrokerActions on_client_left(const ClientAddress& client, TimePoint now);
  // A frame on the node socket that did not decode: counted, otherwise ignored.
  void on_ill_formed_node_frame();
  // A request frame from `sender` on the shutdown endpoint: a SHUTDOWN starts
  // (or joins) the handshake and is answered in to_operators when it ends;
  // anything else is answered "malformed request" at once and changes nothing.
  BrokerActions on_shutdown_frame(const ClientAddress& sender, const std::string& frame, TimePoint now);
  BrokerActions on_tick(TimePoint now);

  BrokerPhase phase() const;
  uint64_t served_term() const { return served_term_; }
  NodeId primary() const { return primary_; }
  bool primary_live(TimePoint now) const;
  LogPosition committed() const { return committed_; }
  size_t client_count() const { return clients_.size(); }
  size_t held_count() const;  // requests waiting for a primary
  const BrokerStats& stats() const { return stats_; }
  const BrokerConfig& config() const { return config_; }
  // Every node heard, with when and whether it is live toward the broker.
  const LivenessTracker<NodeId>& nodes() const { return nodes_; }
  std::vector<NodeId> live_nodes(TimePoint now) const { return nodes_.LivePeers(now); }
  const ShutdownHandshake& shutdown() const { return shutdown_; }
  // Why the service cannot come back yet ("" when it is not waiting for the
  // nodes that hold the acknowledged history).
  const std::string& waiting_for_history() const { return waiting_for_history_; }

 private:
  struct Outstanding {
    std::string frame;
    uint64_t sent_in_term = 0;  // 0: not sent to a primary yet, or that primary was lost
    TimePoint held_since{0};    // when it last started waiting for a primary
    bool sent_before = false;   // a primary had it already (then it is a re-forward)
  };
  struct ClientSlot {
    TimePoint last_activity{0};
    std::map<uint64_t, Outstanding> outstanding;  // by token, i.e. arrival order
  };

  BrokerActions handle(const Heartbeat& heartbeat, TimePoint now);
  BrokerActions handle(const PreVoteRequest& request, TimePoint now);
  BrokerActions handle(const Registration& registration, TimePoint now);
  BrokerActions handle(const ClientReplyFrame& reply, TimePoint now);
  BrokerActions ignore_while_stopping(const NodeToBroker& message, TimePoint now);
  void heard_from(NodeId node, TimePoint now, BrokerActions& actions);
  void mark_sent_requests_held(TimePoint now);
  void send_to_primary(const ClientAddress& client, uint64_t token, Outstanding& request,
                       BrokerActions& actions);
  void release_held(TimePoint now, BrokerActions& actions);
  void expire_held(TimePoint now, BrokerActions& actions);
  void expire_idle(TimePoint now);
  void notice_primary_loss(TimePoint now, BrokerActions& actions);
  void notice_node_failures(TimePoint now, BrokerActions& actions);
  // A refusal of node's pre-vote or registration; `reason` without the
  // numbers that change at every retry decides whether it is news.
  void refused(NodeId node, uint64_t term, BrokerEventKind kind, const std::string& reason, const std::string& text,
               BrokerActions& actions);
  void lacks_history(NodeId node, LogPosition last, BrokerActions& actions);
  void history_back(NodeId node, BrokerActions& actions);
  NodesInSight sight(TimePoint now) const;
  BrokerStatus status_now(TimePoint now) const;
  ClientFrame generated_reply(const ClientAddress& client, const std::string& request_frame,
                              ErrorKind kind, std::string message, uint64_t term) const;

  BrokerConfig config_;
  uint64_t served_term_ = 0;
  NodeId primary_ = kNoNode;
  Liveness primary_liveness_;  // by the primary's own heartbeats; reset for each new primary
  LogPosition committed_;
  LivenessTracker<NodeId> nodes_;
  std::map<ClientAddress, ClientSlot> clients_;
  uint64_t next_token_ = 1;
  ShutdownHandshake shutdown_;
  BrokerStats stats_;
  // Per node and kind (pre-vote, registration), the last refusal reported.
  std::map<std::pair<NodeId, BrokerEventKind>, std::string> refusals_said_;
  std::map<NodeId, LogPosition> lacking_history_;  // refused for lacking committed_, with their logs
  std::string waiting_for_history_;
};

}  // namespace ts::cluster
