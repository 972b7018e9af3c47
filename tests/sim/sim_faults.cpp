// The simulation's fault schedule (crashes, restarts, partitions) and its
// invariant checks; the network and event handlers are in sim_world.cpp.
#include <algorithm>
#include <iostream>
#include <map>

#include "schema/codec.h"
#include "tests/sim/sim_world_internal.h"

namespace ts::sim::detail {

void World::StartNode(NodeId id) {
  NodeConfig config;
  config.id = id;
  config.heartbeat_interval = Millis(50);
  config.liveness_window = Millis(kLivenessWindowMs);
  config.election_answer_timeout = Millis(100);
  config.coordinator_timeout = Millis(500);
  config.broker_answer_timeout = Millis(250);
  config.state_transfer_timeout = Millis(1'000);
  config.behind_timeout = Millis(150);
  config.broker_timeout = Millis(0);  // the simulated broker never goes away for good
  config.min_acks = min_acks_;
  config.durable = true;
  config.cluster_size = node_count_;
  config.broker_count = 2;
  config.async_replies = options_.async_replies;
  config.snapshot_chunk_pairs = 3;  // small, so snapshots come in several chunks
  // Sometimes a short recent log, so backups need whole snapshots, not catch-ups.
  config.recent_log_entries = random_.Below(2) == 0 ? 4 : 1'000;
  SimNode& node = nodes_[id];
  // Small segments and frequent snapshots, so that rolls and snapshots
  // happen, and crashes land in the middle of them.
  NodeLogOptions log_options;
  log_options.log.segment_bytes = static_cast<uint64_t>(random_.Between(1'000, 16'000));
  log_options.log.snapshot_chunk_bytes = 256;
  log_options.snapshot_log_bytes = static_cast<uint64_t>(random_.Between(2'000, 40'000));
  Result<std::unique_ptr<NodeLog>> log = NodeLog::Open(*node.disk, "n" + std::to_string(id), log_options);
  if (!log.ok()) return Fail("node " + std::to_string(id) + " cannot recover its log: " + log.error().message);
  node.log = std::move(log).value();
  const std::string recovered = node.log->recovered().Describe();
  node.core = std::make_unique<NodeCore>(config, TimePoint(now_));
  node.log->Restore(*node.core);
  node.on_disk = node.log->writer().last();
  node.sync_pending = false;
  node.restart_scheduled = false;
  ++node.incarnation;
  Trace("node " + std::to_string(id) + " starts (incarnation " + std::to_string(node.incarnation) + "): " +
        recovered);
  At(now_ + random_.Between(0, kNodeTickMs - 1), NodeTick{id, node.incarnation});
}

void World::Crash(NodeId id) {
  SimNode& node = nodes_.at(id);
  Trace("node " + std::to_string(id) + " CRASHES (" + std::string(RoleName(node.core->role())) + " at " +
        Describe(node.core->last()) + ")");
  node.core.reset();
  node.log.reset();
  const wal::MemoryStorage::CrashReport lost = node.disk->Crash(random_.Next());
  Trace("node " + std::to_string(id) + "'s disk lost " + std::to_string(lost.unsynced_bytes_dropped) +
        " unsynced bytes, " + std::to_string(lost.name_operations_undone) + " name operations");
  node.restart_scheduled = true;
  ++result_.crashes;
  At(now_ + random_.Between(100, 2'000), Restart{id});
}

// Every node at once (and the broker too, when asked): what a power cut of
// the room does. Each node restarts on its own, like a supervisor would.
void World::CrashEveryNode(bool and_broker) {
  Trace(std::string("POWER CUT: every node") + (and_broker ? " and the broker" : "") + " crashes");
  for (auto& [id, node] : nodes_) {
    if (node.core) Crash(id);
  }
  if (and_broker && !broker_down_) {
    broker_.reset();
    broker_down_ = true;
    At(now_ + random_.Between(100, 1'000), RestartBroker{1});
  }
  if (and_broker && !broker2_down_) {  // both brokers at once
    broker2_.reset();
    broker2_down_ = true;
    At(now_ + random_.Between(100, 1'000), RestartBroker{2});
  }
}

// The broker alone: it restarts with no memory (served term, primary,
// committed position), while the nodes keep running.
void World::CrashBroker(BrokerId b) {
  if (b == 2) {
    if (broker2_down_) return;
    Trace("broker 2 CRASHES (serving term " + std::to_string(broker2_->served_term()) + ", primary " +
          std::to_string(broker2_->primary()) + ")");
    broker2_.reset();
    broker2_down_ = true;
    ++result_.broker_crashes;
    At(now_ + random_.Between(50, 1'000), RestartBroker{2});
    return;
  }
  if (broker_down_) return;
  Trace("the broker CRASHES (serving term " + std::to_string(broker_->served_term()) + ", primary " +
        std::to_string(broker_->primary()) + ", committed " + Describe(broker_->committed()) + ")");
  broker_.reset();
  broker_down_ = true;
  ++result_.broker_crashes;
  At(now_ + random_.Between(50, 1'000), RestartBroker{1});
}

void World::Handle(RestartBroker& e) {
  if (e.broker == 2) {
    if (!broker2_down_ || broker2_stopped_) return;
    Trace(broker2_joined_ ? "broker 2 restarts (its memory is lost)" : "broker 2 JOINS");
    broker2_ = NewBroker();
    broker2_down_ = false;
    broker2_joined_ = true;
    At(now_, BrokerTick{2});
    return;
  }
  if (!broker_down_ || shutdown_.begun) return;  // a shutdown through broker 2 keeps it down
  Trace("the broker restarts (its memory is lost)");
  broker_ = NewBroker();
  broker_down_ = false;
  ++broker_incarnation_;
}

// A node keeps its disk, and everything it acknowledged is on it, so any live
// node may crash (the old rule, a crash only while another live node holds
// every committed write, is gone with the memory-only nodes).
bool World::MayCrash(NodeId id) const {
  const SimNode& target = nodes_.at(id);
  if (!target.core) return false;
  if (target.core->config().durable) return true;
  LogPosition committed = broker_ ? broker_->committed() : LogPosition{};
  for (const auto& [other_id, node] : nodes_) {
    if (!node.core || node.core->role() != Role::kPrimary) continue;
    NodeStatus status = node.core->status(TimePoint(now_));
    if (status.committed_seq > 0) committed = std::max(committed, LogPosition{status.term, status.committed_seq});
  }
  for (const auto& [other_id, node] : nodes_) {
    if (other_id != id && node.core && node.core->last() >= committed) return true;
  }
  return false;
}

void World::Partition() {
  std::vector<std::pair<int, int>> links;
  const NodeId victim = 1 + static_cast<NodeId>(random_.Below(node_count_));
  const int v = static_cast<int>(victim);
  std::string what;
  switch (random_.Below(4)) {
    case 0:  // cut from the other nodes, still talking to the broker
      for (NodeId other = 1; other <= node_count_; ++other) {
        if (other != victim) links.emplace_back(v, static_cast<int>(other));
      }
      what = "node " + std::to_string(victim) + " cut from its peers";
      break;
    case 1: {
      const int broker = random_.Below(2) == 0 ? kBrokerEndpoint : kBroker2Endpoint;
      links.emplace_back(v, broker);
      what = "node " + std::to_string(victim) + " cut from broker " + (broker == kBrokerEndpoint ? "1" : "2");
      break;
    }
    case 2:
      links.emplace_back(v, kBroker2Endpoint);
      for (int other = 0; other <= static_cast<int>(node_count_); ++other) {
        if (other != v) links.emplace_back(v, other);
      }
      what = "node " + std::to_string(victim) + " cut from everyone";
      break;
    default: {  // two sides; each broker on one of them
      std::vector<int> ends = {kBroker2Endpoint};
      for (int end = 0; end <= static_cast<int>(node_count_); ++end) ends.push_back(end);
      std::map<int, int> side;
      for (int end : ends) side[end] = static_cast<int>(random_.Below(2));
      for (size_t i = 0; i < ends.size(); ++i) {
        for (size_t j = i + 1; j < ends.size(); ++j) {
          if (side[ends[i]] != side[ends[j]]) links.emplace_back(ends[i], ends[j]);
        }
      }
      what = "split into two sides (broker 1 with side " + std::to_string(side[kBrokerEndpoint]) +
             ", broker 2 with side " + std::to_string(side[kBroker2Endpoint]) + ")";
      break;
    }
  }
  for (auto& [a, b] : links) ++cuts_[{std::min(a, b), std::max(a, b)}];
  ++result_.partitions;
  const int64_t duration = random_.Between(50, 1'500);
  Trace("PARTITION: " + what + " for " + std::to_string(duration) + " ms");
  At(now_ + duration, Heal{std::move(links)});
}

void World::Handle(FaultTick&) {
  if (now_ >= fault_end_) return StopFaults();
  const uint64_t dice = random_.Below(100);
  if (dice < 40) {
    Partition();
  } else if (dice < 70) {
    const NodeId victim = 1 + static_cast<NodeId>(random_.Below(node_count_));
    if (MayCrash(victim)) Crash(victim);
  } else if (dice < 73) {
    CrashEveryNode(/*and_broker=*/false);
  } else if (dice < 75) {
    CrashEveryNode(/*and_broker=*/true);
  } else if (dice < 80) {
    CrashBroker(random_.Below(2) == 0 ? 1 : 2);
  }
  At(std::min(fault_end_, now_ + (storm_ ? random_.Between(50, 350) : random_.Between(100, 700))), FaultTick{});
}

void World::Handle(Restart& e) {
  SimNode& node = nodes_.at(e.node);
  if (!node.core) StartNode(e.node);
}

void World::Handle(Heal& e) {
  if (!faults_on_) return;  // everything healed already
  for (auto& [a, b] : e.links) --cuts_[{std::min(a, b), std::max(a, b)}];
}

void World::StopFaults() {
  if (!faults_on_) return;
  faults_on_ = false;
  cuts_.clear();
  Trace("FAULTS STOP: links healed, crashed nodes restart, no more drops");
  for (auto& [id, node] : nodes_) {
    if (!node.core) StartNode(id);
  }
  if (broker_down_) {
    broker_ = NewBroker();
    broker_down_ = false;
    ++broker_incarnation_;
  }
  if (broker2_down_ && !broker2_stopped_) {
    RestartBroker join{2};
    Handle(join);
  }
}

void World::Handle(ConvergeCheck&) {
  if (shutdown_.begun) return;
  if (now_ < fault_end_) return At(fault_end_, ConvergeCheck{});
  StopFaults();
  std::string why;
  const bool clients_done = std::all_of(clients_.begin(), clients_.end(),
                                        [](const ClientState& c) { return c.model->idle(); });
  if (now_ >= fault_end_ + kClientStopAfterFaultsMs && clients_done && Converged(&why)) {
    FinalChecks();
    if (result_.ok) BeginShutdown();  // sim_world_shutdown.cpp: the run ends when it is checked
    return;
  }
  if (now_ >= fault_end_ + kHealLimitMs) {
    if (!clients_done) why += " (a client still waits for a reply)";
    return Fail("no convergence " + std::to_string(kHealLimitMs) + " ms after faults stopped: " + why);
  }
  At(now_ + kConvergeCheckMs, ConvergeCheck{});
}

// Invariant: every reply a node sends names that node and its current term
// (PROTOCOL.md: served_by 0 means the broker answered), also an error reply
// and a retry answered from the exactly-once table.
// Invariant: nothing a node sends claims more than its disk holds: a
// backup's heartbeat (its ack) names at most what its last fsync covered, and
// a primary tells the broker (so replies, and its heartbeat) a commit point
// its own last fsync covers.
void World::CheckDurableClaims(NodeId from, const NodeActions& actions) {
  const SimNode& node = nodes_.at(from);
  if (node.core == nullptr || !node.core->config().durable) return;
  auto check = [&](const char* what, LogPosition claimed) {
    if (claimed <= node.on_disk) return;
    Fail("node " + std::to_string(from) + " sent " + what + " claiming " + Describe(claimed) +
         " while its disk holds only " + Describe(node.on_disk));
  };
  for (const PeerMessage& message : actions.to_bus) {
    const auto* heartbeat = std::get_if<Heartbeat>(&message);
    if (heartbeat == nullptr) continue;
    if (heartbeat->role == Role::kBackup) check("an ack (a backup's heartbeat)", heartbeat->last);
    if (heartbeat->role == Role::kPrimary && heartbeat->committed_seq > 0) {
      check("a primary's heartbeat", LogPosition{heartbeat->term, heartbeat->committed_seq});
    }
  }
  for (const NodeToBroker& message : actions.to_broker) {
    if (const auto* frame = std::get_if<ClientReplyFrame>(&message); frame != nullptr && frame->committed.seq > 0) {
      check("a reply", frame->committed);
    }
  }
}

void World::CheckReplyStamps(NodeId from, const NodeActions& actions) {
  const NodeCore* core = nodes_.at(from).core.get();
  for (const NodeToBroker& message : actions.to_broker) {
    const auto* frame = std::get_if<ClientReplyFrame>(&message);
    if (frame == nullptr) continue;
    auto reply = DecodeReply(frame->frame);
    if (!reply.ok()) return Fail("node " + std::to_string(from) + " sent an undecodable reply");
    if (reply.value().served_by != from || core == nullptr || reply.value().term != core->term()) {
      return Fail("node " + std::to_string(from) + " in term " + std::to_string(core ? core->term() : 0) +
                  " sent reply #" + std::to_string(reply.value().id.request_number) + " of client " +
                  std::to_string(reply.value().id.client_id) + " stamped served_by " +
                  std::to_string(reply.value().served_by) + ", term " + std::to_string(reply.value().term));
    }
  }
}

// Invariant: a primary that has fewer than min_acks backups in reach once its
// takeover grace is over can commit nothing, so it must hold no reply back:
// each write waiting for acks is answered "not enough replicas" and whatever
// was queued behind it is answered too (checked after each of its ticks).
void World::CheckPrimaryHoldsNothingBack(NodeId id) {
  const NodeCore* core = nodes_.at(id).core.get();
  if (core == nullptr || core->role() != Role::kPrimary) return;
  if (now_ - became_primary_at_[id] <= kLivenessWindowMs) return;
  const NodeStatus status = core->status(TimePoint(now_));
  if (status.backups_in_reach < min_acks_ && status.pending_replies > 0) {
    Fail("primary " + std::to_string(id) + " of term " + std::to_string(status.term) + " has " +
         std::to_string(status.backups_in_reach) + " backup(s) in reach (min_acks " + std::to_string(min_acks_) +
         ") yet holds " + std::to_string(status.pending_replies) + " reply(ies) back");
  }
}

bool World::Converged(std::string* why) const {
  const NodeId primary = broker_->primary();
  const auto found = nodes_.find(primary);
  if (primary == kNoNode || found == nodes_.end() || !found->second.core) {
    *why = "no primary at the broker";
    return false;
  }
  const NodeCore& leader = *found->second.core;
  if (leader.role() != Role::kPrimary || leader.term() != broker_->served_term()) {
    *why = "broker's primary " + std::to_string(primary) + " is " + std::string(RoleName(leader.role())) +
           " in term " + std::to_string(leader.term());
    return false;
  }
  if (broker2_ && (broker2_->primary() != primary || broker2_->served_term() != leader.term())) {
    *why = "broker 2 serves node " + std::to_string(broker2_->primary()) + " in term " +
           std::to_string(broker2_->served_term());
    return false;
  }
  for (const auto& [id, node] : nodes_) {
    if (id == primary) continue;
    const NodeCore& core = *node.core;
    if (core.role() != Role::kBackup || core.term() != leader.term() || core.last() != leader.last()) {
      *why = "node " + std::to_string(id) + " is " + std::string(RoleName(core.role())) + " in term " +
             std::to_string(core.term()) + " at " + Describe(core.last()) + ", primary " +
             std::to_string(primary) + " at " + Describe(leader.last());
      return false;
    }
    if (core.space().pairs() != leader.space().pairs()) {
      *why = "node " + std::to_string(id) + " has a different space at the same position " +
             Describe(core.last());
      return false;
    }
  }
  return true;
}

void World::FinalChecks() {
  for (const ClientState& client : clients_) {
    if (client.model->failure() && !options_.async_replies) return Fail(*client.model->failure());
  }
  if (options_.async_replies) return;  // async mode may lose acknowledged writes by design
  const TupleSpace::PairMap& final_pairs = nodes_.at(broker_->primary()).core->space().pairs();
  std::vector<SimClient::Keys> held(clients_.size());  // each client's keys in the final space
  for (const auto& [key, value] : final_pairs) {
    bool owned = false;
    for (size_t i = 0; i < clients_.size() && !owned; ++i) {
      if (key.rfind(clients_[i].model->KeyPrefix(), 0) == 0) {
        held[i].emplace(key, value);
        owned = true;
      }
    }
    if (!owned) return Fail("the final primary holds " + std::string(key) + "=" + std::string(value) + ", which no client wrote");
  }
  for (size_t i = 0; i < clients_.size(); ++i) {
    const SimClient& model = *clients_[i].model;
    if (model.CouldEndAs(held[i])) continue;
    std::string holds;
    for (const auto& [key, value] : held[i]) holds += " " + key + "=" + value;
    return Fail("the final primary's space differs from the acknowledged writes of client " + std::to_string(i) +
                ": it holds {" + holds + " }, the client's writes allow " + model.DescribePossibilities());
  }
}

void World::Fail(const std::string& why) {
  if (!result_.ok) return;
  result_.ok = false;
  result_.failure = "t=" + std::to_string(now_) + " ms: " + why;
  done_ = true;
  Trace("FAILURE: " + why);
}

void World::Trace(const std::string& line) const {
  if (options_.trace) std::cerr << "[" << now_ << "] " << line << "\n";
}

}  // namespace ts::sim::detail

namespace ts::sim {

SimResult RunSimulation(const SimOptions& options) {
  detail::World world(options);
  return world.Run();
}

}  // namespace ts::sim
