// ShutdownHandshake: the broker's side of an orderly shutdown, as a pure
// state machine (no sockets, threads or clock reads; the shell feeds it).
//
// A SHUTDOWN on the shutdown endpoint starts it. A ShutdownCommand is a single
// frame that can be lost (a node that is slow to read when the broker's
// connection closes, a queue refusing it), so the broker does not relay it
// once and exit: until the handshake ends, every resend interval, it sends
// ShutdownCommand again
//   - to the primary, while the primary is live and has not confirmed (the
//     primary tells its backups over the bus, saves and exits);
//   - otherwise to every live node that has not confirmed (the backups of a
//     primary that stopped first, or every node when there is no primary).
// A node confirms with a heartbeat whose role is "stopped", its last word to
// the broker before it saves and exits; a node treats a repeated command as
// the one it already obeys. The handshake ends
//   - confirmed: no node heard within the liveness window is still unstopped
//     (a node silent that long has gone: stopped, its confirmation lost, or
//     crashed), or
//   - timed out: the grace passed with a node still live and not stopped (it
//     stops at its own broker timeout).
// Then the broker answers the operator (saying which) and exits. While the
// handshake runs no term may start: pre-votes and registrations are not
// passed to BrokerCore (a stopping service must not elect a new primary).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schema/cluster_messages.h"

namespace ts::cluster {

struct ShutdownConfig {
  Millis resend_interval{100};  // how often ShutdownCommand goes out again
  Millis grace{2'000};          // longest wait for the nodes to confirm
};

// What BrokerCore knows of the nodes at one moment (its primary, and who is
// live toward it); the shell reads it from the core each time.
struct NodesInSight {
  NodeId primary = kNoNode;
  bool primary_live = false;
  std::vector<NodeId> live;  // heard within the liveness window
};

enum class ShutdownOutcome { kConfirmed, kTimedOut };

struct ShutdownStep {
  std::vector<NodeId> send_to;              // a ShutdownCommand to each
  std::optional<ShutdownOutcome> finished;  // set once: answer the operators, exit
};

class ShutdownHandshake {
 public:
  explicit ShutdownHandshake(ShutdownConfig config) : config_(config) {}

  // The operator's SHUTDOWN. A repeated one (a client's retry) changes
  // nothing: the handshake under way answers every sender.
  ShutdownStep Begin(TimePoint now, const NodesInSight& sight);
  // Every message a node sends; a heartbeat with role "stopped" confirms.
  void OnNodeMessage(const NodeToBroker& message);
  ShutdownStep OnTick(TimePoint now, const NodesInSight& sight);

  // Whether BrokerCore should see this node message (no new term while stopping).
  bool Admits(const NodeToBroker& message) const;

  bool started() const { return started_; }
  bool finished() const { return outcome_.has_value(); }
  std::optional<ShutdownOutcome> outcome() const { return outcome_; }
  const std::set<NodeId>& confirmed() const { return confirmed_; }
  // Live and not stopped when it ended (timed out), for the operator.
  const std::vector<NodeId>& unconfirmed() const { return unconfirmed_; }
  // One sentence on how it ended, for the operator and the log.
  std::string Summary() const;

 private:
  ShutdownStep Finish(ShutdownOutcome outcome, std::vector<NodeId> unconfirmed, TimePoint now);

  ShutdownConfig config_;
  bool started_ = false;
  TimePoint began_{0};
  TimePoint next_send_{0};
  TimePoint ended_{0};
  std::set<NodeId> confirmed_;
  std::vector<NodeId> unconfirmed_;
  std::optional<ShutdownOutcome> outcome_;
};

}  // namespace ts::cluster
