// BrokerCore: the proxy's decisions, as a pure state machine.
//
// It knows the clients (slots, at most max_clients), the nodes it has heard,
// which node is primary in which term, and the highest committed position it
// has relayed to a client. The tsbroker shell (and the simulation) feeds it
// client frames, node messages, the shutdown command and the time; each call
// returns BrokerActions to carry out. No sockets, threads or clock reads.
//
// Contract:
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
//    no request.
//  - Replies go back in the primary's order; a reply from a node that is not
//    the current primary, an ill-formed reply, or one for a client without an
//    outstanding request is dropped and counted.
//  - Fencing: a registration is accepted only with a term above the one
//    served (or the same term from the same node), and only from a node whose
//    log holds the highest committed position relayed so far. So at most one
//    primary per term, and no acknowledged write is lost to a stale winner.
//  - A pre-vote is granted only while the current primary is not live toward
//    the broker, with the same log condition.
//  - Generated replies ("service refused", "unavailable") echo the request id
//    when the request frame decodes; the broker looks at nothing else in it.
//    Their messages say why without repeating the kind (a client shows
//    "service refused: " + message).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "brokers/broker_config.h"
#include "schema/cluster_messages.h"

namespace ts::cluster {

struct ClientFrame {
  ClientAddress client;
  std::string frame;  // an encoded Reply, to send as is
};

struct NodeSend {
  NodeId to = kNoNode;
  BrokerToNode message;
};

enum class BrokerEventKind {
  kNodeSeen,
  kNodeLost,          // a node fell silent for primary_liveness
  kPrimaryAccepted,   // registration accepted: (peer, term)
  kPrimaryRefused,
  kPrimaryLost,       // the primary fell silent: requests are held
  kPreVote,           // a pre-vote answered (granted or not: see text)
  kClientRefused,
  kShutdown,
};

struct BrokerEvent {
  BrokerEventKind kind = BrokerEventKind::kNodeSeen;
  NodeId node = kNoNode;
  uint64_t term = 0;
  std::string text;
};

struct BrokerActions {
  std::vector<ClientFrame> to_clients;
  std::vector<NodeSend> to_nodes;
  std::vector<BrokerEvent> events;
  bool exit = false;  // the shutdown was relayed: flush the sockets and exit

  void Append(BrokerActions&& other);
};

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
  // Relays ShutdownCommand to the primary (to every known node if there is
  // none) and asks the shell to exit.
  BrokerActions on_shutdown_command(TimePoint now);
  BrokerActions on_tick(TimePoint now);

  uint64_t served_term() const { return served_term_; }
  NodeId primary() const { return primary_; }
  bool primary_live(TimePoint now) const;
  LogPosition committed() const { return committed_; }
  size_t client_count() const { return clients_.size(); }
  size_t held_count() const;  // requests waiting for a primary
  const BrokerStats& stats() const { return stats_; }
  const BrokerConfig& config() const { return config_; }
  std::vector<NodeId> live_nodes(TimePoint now) const;

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
  void heard_from(NodeId node, TimePoint now, BrokerActions& actions);
  void mark_sent_requests_held(TimePoint now);
  void send_to_primary(const ClientAddress& client, uint64_t token, Outstanding& request,
                       BrokerActions& actions);
  void release_held(TimePoint now, BrokerActions& actions);
  void expire_held(TimePoint now, BrokerActions& actions);
  void expire_idle(TimePoint now);
  void note_primary_liveness(TimePoint now, BrokerActions& actions);
  BrokerStatus status_now(TimePoint now) const;
  ClientFrame generated_reply(const ClientAddress& client, const std::string& request_frame,
                              ErrorKind kind, std::string message) const;

  BrokerConfig config_;
  uint64_t served_term_ = 0;
  NodeId primary_ = kNoNode;
  TimePoint primary_last_heard_{0};
  bool primary_was_live_ = false;
  LogPosition committed_;
  std::map<NodeId, TimePoint> node_last_heard_;
  std::map<NodeId, bool> node_reported_live_;
  std::map<ClientAddress, ClientSlot> clients_;
  uint64_t next_token_ = 1;
  BrokerStats stats_;
};

}  // namespace ts::cluster
