// ShutdownHandshake: the broker's side of an orderly shutdown, a pure part of
// BrokerCore (which feeds it; the shell never sees it).
//
// An operator's SHUTDOWN starts it. A ShutdownCommand is a single frame that
// can be lost (a node that is slow to read when the broker's connection
// closes, a queue refusing it), so the broker does not relay it once and
// exit: until the handshake ends, every resend interval, it sends
// ShutdownCommand again
//   - to the primary, while the primary is live and has not confirmed (the
//     primary tells its backups over the bus, saves and exits);
//   - otherwise to every live node that has not confirmed (the backups of a
//     primary that stopped first, or every node when there is no primary).
// A node confirms with a heartbeat whose role is "stopped", its last word to
// the broker before it saves and exits (Confirm); a node treats a repeated
// command as the one it already obeys. The handshake ends
//   - confirmed: no node live toward the broker is still unconfirmed (a node
//     silent for the liveness window has gone: stopped, its confirmation
//     lost, or crashed), or
//   - timed out: the grace passed with a node still live and not confirmed
//     (it stops at its own broker timeout).
// Every operator that asked (the first SHUTDOWN and its retries) is answered
// when it ends: no error when confirmed, "unavailable" with the summary when
// timed out; one asking after the end is answered at once. The end also asks
// the shell to exit. What the broker refuses meanwhile (client requests, new
// terms) is BrokerCore's part (broker_core.h).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "brokers/broker_actions.h"
#include "brokers/broker_config.h"
#include "schema/messages.h"

namespace ts::cluster {

// What BrokerCore knows of the nodes at one moment.
struct NodesInSight {
  NodeId primary = kNoNode;
  uint64_t served_term = 0;
  bool primary_live = false;
  std::vector<NodeId> live;  // live toward the broker (heard within the liveness window)
};

enum class ShutdownOutcome { kConfirmed, kTimedOut };

class ShutdownHandshake {
 public:
  explicit ShutdownHandshake(ShutdownConfig config) : config_(config) {}

  // An operator's SHUTDOWN, with its reply prepared (id and op echoed). The
  // first starts the handshake; a repeat waits for the same end.
  void OnShutdownRequest(const ClientAddress& sender, Reply reply, TimePoint now, const NodesInSight& sight,
                         BrokerActions& out);
  // A heartbeat with role "stopped" from `node`.
  void Confirm(NodeId node);
  // Resends the command when due; ends the handshake when it is over.
  void OnTick(TimePoint now, const NodesInSight& sight, BrokerActions& out);

  bool started() const { return started_; }
  bool finished() const { return outcome_.has_value(); }
  std::optional<ShutdownOutcome> outcome() const { return outcome_; }
  TimePoint began() const { return began_; }
  const std::set<NodeId>& confirmed() const { return confirmed_; }
  bool confirmed(NodeId node) const { return confirmed_.contains(node); }
  // Live and not confirmed when it ended (timed out), for the operator.
  const std::vector<NodeId>& unconfirmed() const { return unconfirmed_; }
  size_t operators_waiting() const { return operators_.size(); }
  // One sentence on where it stands or how it ended, for the operator and the log.
  std::string Summary() const;

 private:
  void Finish(ShutdownOutcome outcome, std::vector<NodeId> unconfirmed, TimePoint now, const NodesInSight& sight,
              BrokerActions& out);
  void Answer(const ClientAddress& sender, Reply reply, const NodesInSight& sight, BrokerActions& out) const;

  ShutdownConfig config_;
  bool started_ = false;
  TimePoint began_{0};
  TimePoint next_send_{0};
  TimePoint ended_{0};
  std::set<NodeId> confirmed_;
  std::vector<NodeId> unconfirmed_;
  std::optional<ShutdownOutcome> outcome_;
  std::vector<std::pair<ClientAddress, Reply>> operators_;  // waiting for the end
  std::map<NodeId, int> commands_sent_;                     // per node, for the log
};

}  // namespace ts::cluster
