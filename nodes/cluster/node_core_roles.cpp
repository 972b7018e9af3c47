// NodeCore's role transitions: the state table of node_core_state.h as code,
// one function per transition, in the table's order. Each is called only from
// the states the table names (the step and tick functions check the role).
#include <algorithm>

#include "nodes/cluster/node_core_state.h"

namespace ts::cluster {

// candidate | syncing | backup -> syncing: a primary's claim of the newest term.
void NodeCore::State::Follow(NodeId new_primary, uint64_t new_term, TimePoint now, NodeActions& out) {
  election.Stop();
  if (new_term != term) {
    RaiseTerm(new_term);
    Event(out, NodeEventKind::kTermChanged, new_primary,
          "term " + std::to_string(new_term) + ", primary is node " + std::to_string(new_primary));
  }
  primary = new_primary;
  primary_lease_stamp = 0;
  followed_primary.Heard(now);
  backup_side.Follow(new_primary, new_term);
  role = Role::kSyncing;
  Event(out, NodeEventKind::kResyncStarted, new_primary,
        "resynchronising from node " + std::to_string(new_primary) + " (have " +
            Describe(replica.last()) + ")");
  RequestTransferIfDue(now, out);
  SendHeartbeat(now, out);  // tells the new primary at once that this node is in reach
}

// candidate -> primary: the broker accepted this node's registration for won_term.
void NodeCore::State::BecomePrimary(uint64_t won_term, TimePoint now, NodeActions& out) {
  const std::vector<NodeId> voters = election.voters();
  election.Stop();
  backup_side.Unfollow();
  RaiseTerm(won_term);
  term_voters = voters;
  primary_since = now;
  primary = config.id;
  role = Role::kPrimary;
  acks.Reset(won_term, 0);
  commit_told_broker = 0;
  primary_side.Begin(won_term, replica, now);
  Event(out, NodeEventKind::kTermChanged, config.id, "term " + std::to_string(won_term) + " begins");
  Event(out, NodeEventKind::kBecamePrimary, config.id,
        "primary for term " + std::to_string(won_term) + " at " + Describe(replica.last()));
  out.to_bus.push_back(Coordinator{config.id, won_term, replica.last()});
  if (auto batch = primary_side.TakeBatch(0)) out.to_bus.push_back(std::move(*batch));
  SendHeartbeat(now, out);
}

// primary -> candidate: a newer term, the broker lost, or the broker refusing us.
void NodeCore::State::StepDown(const std::string& why, TimePoint now, NodeActions& out) {
  primary_side.End();
  snapshot_sender.Clear();
  role = Role::kCandidate;
  primary = kNoNode;
  // Listen for one window first: the node that replaced us is likely there.
  election_not_before = now + config.liveness_window;
  Event(out, NodeEventKind::kSteppedDown, config.id, "steps down as primary: " + why);
}

// syncing | backup -> candidate: the followed primary is no longer live. This
// is where failover starts: the candidate elects at once (TickCandidate).
void NodeCore::State::LosePrimary(TimePoint now, NodeActions& out) {
  Event(out, NodeEventKind::kPrimaryLost, primary,
        "primary " + std::to_string(primary) + " is silent; electing");
  backup_side.Unfollow();
  role = Role::kCandidate;
  primary = kNoNode;
  election_not_before = now;
}

// syncing <-> backup: whatever the applier says after a batch, a heartbeat of
// the primary or a state-transfer answer.
// With a durable log, a snapshot just installed makes the node a backup only
// once it is on disk (on_durable calls this again).
void NodeCore::State::Resync(TimePoint now, NodeActions& out) {
  const Role now_role = backup_side.syncing() || InstallNotDurable() ? Role::kSyncing : Role::kBackup;
  if (now_role == role) return;
  role = now_role;
  if (role == Role::kBackup) {
    Event(out, NodeEventKind::kResyncDone, primary, "in sync with node " + std::to_string(primary) +
                                                        " at " + Describe(replica.last()));
  } else {
    Event(out, NodeEventKind::kResyncStarted, primary,
          "fell behind node " + std::to_string(primary) + " at " + Describe(replica.last()) +
              "; resynchronising");
  }
  SendHeartbeat(now, out);
}

// any -> stopped: told to stop, or the broker gone past broker_timeout.
void NodeCore::State::Stop(const std::string& why, TimePoint now, NodeActions& out) {
  if (role == Role::kPrimary) primary_side.End();
  snapshot_sender.Clear();
  role = Role::kStopped;
  election.Stop();
  backup_side.Unfollow();
  Event(out, NodeEventKind::kShutdown, config.id, "stopping (" + why + "): save and exit");
  // The last word to the broker, role stopped: its shutdown handshake waits
  // for it (docs/PROTOCOL.md "Shutdown endpoint").
  out.to_broker.push_back(MakeHeartbeat(now));
  out.save_and_exit = true;
}

}  // namespace ts::cluster
