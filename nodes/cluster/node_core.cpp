// NodeCore: construction, the public entry points, and what several roles
// share. The step prelude and the per-role steps are in node_core_step.cpp,
// the role transitions in node_core_roles.cpp.
#include "nodes/cluster/node_core.h"

#include <algorithm>
#include <utility>

#include "nodes/cluster/node_core_state.h"

namespace ts::cluster {

std::string_view NodeEventKindName(NodeEventKind kind) {
  switch (kind) {
    case NodeEventKind::kPeerSeen: return "peer_seen";
    case NodeEventKind::kPeerFailed: return "peer_failed";
    case NodeEventKind::kPeerRejoined: return "peer_rejoined";
    case NodeEventKind::kPeerRestarted: return "peer_restarted";
    case NodeEventKind::kTermChanged: return "term_changed";
    case NodeEventKind::kBecamePrimary: return "became_primary";
    case NodeEventKind::kSteppedDown: return "stepped_down";
    case NodeEventKind::kPrimaryLost: return "primary_lost";
    case NodeEventKind::kResyncStarted: return "resync_started";
    case NodeEventKind::kResyncDone: return "resync_done";
    case NodeEventKind::kBrokerLost: return "broker_lost";
    case NodeEventKind::kBrokerBack: return "broker_back";
    case NodeEventKind::kShutdown: return "shutdown";
    case NodeEventKind::kNotice: return "notice";
  }
  return "unknown";
}

void NodeActions::Append(NodeActions&& other) {
  for (auto& m : other.to_bus) to_bus.push_back(std::move(m));
  for (auto& m : other.to_peer) to_peer.push_back(std::move(m));
  for (auto& m : other.to_broker) to_broker.push_back(std::move(m));
  for (auto& e : other.events) events.push_back(std::move(e));
  save_and_exit = save_and_exit || other.save_and_exit;
}

bool NodeActions::empty() const {
  return to_bus.empty() && to_peer.empty() && to_broker.empty() && events.empty() && !save_and_exit;
}

namespace {

// The ack rule's floor: a write is acknowledged only once a majority of the
// configured nodes, the primary counted, hold it durably; --min-acks may
// raise that, never lower it.
NodeConfig WithMajorityAcks(NodeConfig config) {
  config.min_acks = std::max(config.min_acks, config.cluster_size / 2);
  return config;
}

}  // namespace

NodeCore::State::State(NodeConfig config_in, TimePoint now)
    : config(WithMajorityAcks(std::move(config_in))),
      replica(config.space_limits, config.max_remembered_clients, config.recent_log_entries,
              config.recent_log_bytes),
      peers(config.liveness_window),
      brokers(config.liveness_window),
      acks(config.id, config.min_acks, config.liveness_window),
      election(config.id, config),
      primary_side(config.id, config),
      backup_side(config.id, config, static_cast<uint64_t>(now.count())),
      snapshot_sender(config.snapshot_chunk_pairs, config.snapshot_chunks_per_turn),
      next_heartbeat(now),
      // A starting node listens for one liveness window before electing, so
      // that it finds a healthy primary instead of challenging it.
      election_not_before(now + config.liveness_window),
      votes_not_before(now + config.liveness_window) {
  replica.journaling = config.durable;
  replica.changes = ChangeHistory(config.watch_history_changes, config.watch_history_bytes);
  for (BrokerId b = kFirstBroker; b < kFirstBroker + std::max<uint32_t>(config.broker_count, 1); ++b) {
    brokers.Heard(b, now);
  }
}

Millis NodeCore::State::BrokerSilence(TimePoint now) const {
  Millis shortest = Millis::max();
  for (BrokerId b : brokers.KnownPeers()) {
    shortest = std::min(shortest, now - brokers.LastHeard(b).value_or(now));
  }
  return shortest == Millis::max() ? Millis(0) : shortest;
}

LogPosition NodeCore::State::ReportedLast() const {
  if (!config.durable || !durable_at) return replica.last();
  return *durable_at;
}

uint64_t NodeCore::State::CommitCeiling() const {
  if (!config.durable) return replica.last().seq;
  return durable_at ? durable_at->seq : 0;
}

Heartbeat NodeCore::State::MakeHeartbeat(TimePoint now) const {
  Heartbeat heartbeat;
  heartbeat.from = config.id;
  heartbeat.role = role;
  heartbeat.term = term;
  heartbeat.last = ReportedLast();
  heartbeat.primary_id = primary;
  if (role == Role::kPrimary) heartbeat.committed_seq = primary_side.ReportedCommit(acks.committed()).seq;
  heartbeat.broker_live = AnyBrokerLive(now);
  heartbeat.pairs = replica.space.size();
  heartbeat.pair_bytes = replica.space.pairs().bytes();
  heartbeat.rss_bytes = process_facts.rss_bytes;
  heartbeat.zap_refused = process_facts.zap_refused;
  if (role == Role::kPrimary) {
    heartbeat.lease_stamp = static_cast<uint64_t>(now.count()) + 1;
  } else if (Following()) {
    heartbeat.lease_stamp = primary_lease_stamp;
  }
  return heartbeat;
}

void NodeCore::State::SendHeartbeat(TimePoint now, NodeActions& out) {
  Heartbeat heartbeat = MakeHeartbeat(now);
  out.to_bus.push_back(heartbeat);
  out.to_broker.push_back(heartbeat);
  next_heartbeat = now + config.heartbeat_interval;
}

void NodeCore::State::Event(NodeActions& out, NodeEventKind kind, NodeId peer, std::string text) const {
  out.events.push_back(NodeEvent{kind, peer, term, "node " + std::to_string(config.id) + ": " + text});
}

void NodeCore::State::ApplyElectionStep(ElectionStep step, TimePoint now, NodeActions& out) {
  if (step.vote_for_self_in) {
    // Term and own vote go to disk first; the RequestVote and the count of
    // this node's own vote wait for them (SendOnceDurable).
    const uint64_t vote_term = *step.vote_for_self_in;
    RaiseTerm(vote_term);
    voted_for = config.id;
    for (auto& m : step.to_bus) {
      if (std::holds_alternative<RequestVote>(m)) {
        held_for_vote.emplace_back(vote_term, std::move(m));
      } else {
        out.to_bus.push_back(std::move(m));
      }
    }
    step.to_bus.clear();
    held_for_vote.emplace_back(vote_term, VoteAnswer{config.id, config.id, vote_term, true, ""});
  }
  for (auto& m : step.to_bus) out.to_bus.push_back(std::move(m));
  for (auto& m : step.to_broker) out.to_broker.push_back(std::move(m));
  if (!step.note.empty()) Event(out, NodeEventKind::kNotice, config.id, step.note);
  if (step.won_term) BecomePrimary(*step.won_term, now, out);
  if (step.vote_for_self_in) ReleaseDurableVotes(now, out);
}

void NodeCore::State::RequestTransferIfDue(TimePoint now, NodeActions& out) {
  if (auto request = backup_side.TakeRequest(replica, now)) {
    out.to_peer.push_back(PeerSend{backup_side.primary(), std::move(*request)});
  }
}

// Primary only.
void NodeCore::State::AdvanceCommitAndRelease(TimePoint now, NodeActions& out) {
  if (!CheckLease(now, out)) return;  // a primary past its lease answers nothing
  // The primary counts itself only for what its own disk holds.
  const uint64_t committed = acks.Advance(CommitCeiling(), now);
  primary_side.ServeWaiting(replica, acks, committed, now);
  std::vector<ClientReplyFrame> replies = primary_side.Release(committed);
  // Replies tell the broker the commit point; without one, a heartbeat does
  // at once: the broker's committed position is what lets a successor that
  // takes over alone answer reads (PrimaryReplicator), so it must not lag.
  const uint64_t reported = primary_side.ReportedCommit(committed).seq;
  if (replies.empty() && reported > commit_told_broker) out.to_broker.push_back(MakeHeartbeat(now));
  commit_told_broker = std::max(commit_told_broker, reported);
  for (auto& reply : replies) out.to_broker.push_back(std::move(reply));
  if (!primary_side.CannotCommit(acks, now)) return;
  if (primary_side.pending_replies() == 0 && primary_side.unconfirmed_writes() == 0) return;
  // Too few backups in reach: nothing can commit, so nothing may wait for it.
  PrimaryReplicator::Failed failed = primary_side.FailUnconfirmed(replica, acks, now);
  if (failed.writes_undone > 0) {
    Event(out, NodeEventKind::kNotice, config.id,
          "only " + std::to_string(acks.InReach(now)) + " backup(s) in reach (min-acks " +
              std::to_string(config.min_acks) + "): undid " + std::to_string(failed.writes_undone) +
              " unconfirmed write(s) and answered them 'not enough replicas'");
  }
  for (auto& reply : failed.replies) out.to_broker.push_back(std::move(reply));
}

// ---- public API ----------------------------------------------------------

NodeCore::NodeCore(NodeConfig config, TimePoint now)
    : state_(std::make_unique<State>(std::move(config), now)) {}

NodeCore::~NodeCore() = default;

void NodeCore::Preload(std::string key_text, std::string value_text) {
  if (state_->started) return;
  state_->replica.space.Upsert(std::move(key_text), std::move(value_text));
}

void NodeCore::SetLoadedPosition(LogPosition at) {
  if (state_->started) return;
  // The recent log starts there (empty), so a backup at exactly this position
  // catches up from it, and anything older gets a snapshot. The loaded term
  // is history, not a primary heard of: it is not "seen" (a node with a file
  // from an older cluster run must still follow the live primary), but the
  // election proposes terms above it (bully_election.cpp).
  state_->replica.log.Reset(at);
  state_->replica.changes.Reset(at.seq);
  state_->replica.last_applied = at;
  if (state_->config.durable) {
    // An imported file is not in the node's log yet: the shell writes it as a
    // snapshot (the install path) before anything counts as durable.
    state_->replica.journal = ReplicaState::Journal{{}, true};
    state_->durable_at.reset();
  }
}

void NodeCore::Restore(LogPosition snapshot_at, const std::vector<ClientRecord>& client_rows,
                       const std::vector<LogEntry>& entries, uint64_t term, NodeId voted_for) {
  State& s = *state_;
  if (s.started) return;
  s.replica.clients.Replace(client_rows);
  s.replica.log.Reset(snapshot_at);
  s.replica.changes.Reset(snapshot_at.seq);
  s.replica.last_applied = snapshot_at;
  const bool journaling = std::exchange(s.replica.journaling, false);  // on disk already
  for (const LogEntry& entry : entries) s.replica.Apply(entry);
  s.replica.journaling = journaling;
  s.replica.journal = ReplicaState::Journal{};
  s.durable_at = s.replica.last();
  // Terms never go back after a crash: the node is in the term it was in (a
  // real primary's term: it followed or led it), and any term it proposes
  // lies above it.
  s.term = std::max(term, s.replica.last().term);
  s.voted_for = s.term == term ? voted_for : kNoNode;
  s.max_term_seen = std::max(s.max_term_seen, s.term);
  s.durable_term = s.term;
}

DurableWork NodeCore::TakeDurableWork() {
  State& s = *state_;
  ReplicaState::Journal journal = s.replica.TakeJournal();
  s.taken_term = s.term;
  return DurableWork{std::move(journal.entries), journal.installed, s.term, s.voted_for, s.replica.last()};
}

NodeActions NodeCore::on_durable(LogPosition through, uint64_t durable_term, TimePoint now) {
  NodeActions out;
  State& s = *state_;
  if (!s.config.durable) return out;
  // The term and vote the sync covered are on disk: the vote messages
  // resting on them go. Never above what was taken: the shell cannot have
  // written more than it took.
  s.durable_term = std::max(s.durable_term, std::min(durable_term, s.taken_term));
  s.ReleaseDurableVotes(now, out);
  // A snapshot installed since the take replaced the history `through` is of.
  if (s.replica.journal.installed) return out;
  const bool advanced = !s.durable_at || *s.durable_at != through;
  s.durable_at = through;
  if (!advanced) return out;
  switch (s.role) {
    case Role::kPrimary:
      s.AdvanceCommitAndRelease(now, out);
      break;
    case Role::kSyncing:
    case Role::kBackup: {
      const Role before = s.role;
      s.Resync(now, out);  // an installed snapshot on disk: in sync (sends the heartbeat)
      if (before == Role::kBackup && s.role == Role::kBackup) s.SendHeartbeat(now, out);  // the ack
      break;
    }
    case Role::kCandidate:
    case Role::kStopped:
      break;
  }
  return out;
}

std::optional<LogPosition> NodeCore::durable() const {
  if (!state_->config.durable) return state_->replica.last();
  return state_->durable_at;
}

NodeActions NodeCore::on_message(const PeerMessage& message, TimePoint now) {
  NodeActions out;
  state_->started = true;
  state_->Step(message, now, out);
  return out;
}

NodeActions NodeCore::on_message(const BrokerToNode& message, TimePoint now) {
  return on_message(kFirstBroker, message, now);
}

NodeActions NodeCore::on_message(BrokerId from, const BrokerToNode& message, TimePoint now) {
  NodeActions out;
  state_->started = true;
  state_->Step(from, message, now, out);
  return out;
}

NodeActions NodeCore::on_client_request(const ClientTag& client, const Request& request, TimePoint now) {
  NodeActions out;
  state_->started = true;
  if (state_->role != Role::kPrimary) return out;  // the broker resends it to the real primary
  if (!state_->CheckLease(now, out)) return out;
  state_->primary_side.Handle(client, request, state_->replica, state_->acks, now);
  state_->AdvanceCommitAndRelease(now, out);
  return out;
}

NodeActions NodeCore::on_tick(TimePoint now) {
  NodeActions out;
  state_->started = true;
  state_->Tick(now, out);
  return out;
}

void NodeCore::SetProcessFacts(const ProcessFacts& facts) { state_->process_facts = facts; }

NodeStatus NodeCore::status(TimePoint now) const {
  const State& s = *state_;
  NodeStatus status;
  status.id = s.config.id;
  status.role = s.role;
  status.term = s.term;
  status.primary_id = s.primary;
  status.last = s.replica.last();
  status.committed_seq =
      s.role == Role::kPrimary ? s.primary_side.ReportedCommit(s.acks.committed()).seq : 0;
  status.broker_live = s.AnyBrokerLive(now);
  status.live_brokers = s.LiveBrokers(now);
  status.pairs = s.replica.space.size();
  status.pair_bytes = s.replica.space.pairs().bytes();
  status.live_peers = s.peers.LivePeers(now);
  if (s.role == Role::kPrimary) {
    status.in_sync_backups = s.acks.InSync(now);
    status.backups_in_reach = s.acks.InReach(now);
    status.pending_replies = s.primary_side.pending_replies();
    status.waiting_requests = s.primary_side.waiting_requests();
    status.backup_acked = s.acks.AckedSeqs();
  }
  return status;
}

Role NodeCore::role() const { return state_->role; }
uint64_t NodeCore::term() const { return state_->term; }
NodeId NodeCore::voted_for() const { return state_->voted_for; }
LogPosition NodeCore::last() const { return state_->replica.last(); }
const TupleSpace& NodeCore::space() const { return state_->replica.space; }
bool NodeCore::sending_snapshot() const { return state_->snapshot_sender.sending(); }
std::vector<ClientRecord> NodeCore::client_rows() const { return state_->replica.clients.Rows(); }
const NodeConfig& NodeCore::config() const { return state_->config; }

}  // namespace ts::cluster
