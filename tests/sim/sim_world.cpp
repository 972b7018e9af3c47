#include "tests/sim/sim_world.h"

#include <algorithm>
#include <type_traits>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <variant>
#include <vector>

#include "brokers/broker_core.h"
#include "nodes/cluster/node_core.h"
#include "schema/codec.h"
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_random.h"
#include "tests/sim/sim_world_internal.h"

namespace ts::sim::detail {

using namespace ts::cluster;

World::World(const SimOptions& options)
    : options_(options),
      random_(options.seed),
      node_count_(random_.Below(4) == 0 ? 5 : 3),
      min_acks_(node_count_ == 5 && random_.Below(2) == 0 ? 2 : 1),
      storm_(random_.Below(4) == 0),
      fault_end_(random_.Between(3'000, 6'000)),
      drop_per_million_(static_cast<uint64_t>(random_.Between(0, storm_ ? 150'000 : 50'000))),
      duplicate_per_million_(static_cast<uint64_t>(random_.Between(0, storm_ ? 50'000 : 20'000))) {
  result_.nodes = node_count_;
  broker_ = NewBroker();
  for (NodeId id = 1; id <= node_count_; ++id) StartNode(id);
  const uint32_t client_count = 2 + static_cast<uint32_t>(random_.Below(3));
  for (uint32_t i = 0; i < client_count; ++i) {
    ClientState client;
    client.model = std::make_unique<SimClient>(i, 1000 + i);
    client.address = "client" + std::to_string(i) + ".0";
    clients_.push_back(std::move(client));
    Wake(i, random_.Between(0, 500));
  }
  At(0, BrokerTick{1});
  At(random_.Between(0, fault_end_ / 2), RestartBroker{2});  // the second broker joins
  At(random_.Between(200, 600), FaultTick{});
  At(fault_end_, ConvergeCheck{});
  Trace("seed " + std::to_string(options.seed) + ": " + (storm_ ? "storm, " : "") + std::to_string(node_count_) +
        " nodes, min_acks " +
        std::to_string(min_acks_) + ", " + std::to_string(client_count) + " clients, faults until " +
        std::to_string(fault_end_) + " ms, drop " + std::to_string(drop_per_million_) + "/1e6, dup " +
        std::to_string(duplicate_per_million_) + "/1e6");
}

SimResult World::Run() {
  while (!done_ && !queue_.empty()) {
    auto first = queue_.begin();
    const int64_t time = first->first.first;
    if (time != now_) {
      // End of a poll cycle at now_: every node that received something
      // publishes its batch (as a shell does once per poll cycle).
      for (NodeId id : std::exchange(dirty_, {})) EndCycle(id);
      if (!dirty_.empty()) continue;
      now_ = time;
    }
    auto node_handle = queue_.extract(queue_.begin());
    ++result_.events;
    std::visit([&](auto& e) { Handle(e); }, node_handle.mapped());
  }
  result_.end_time_ms = now_;
  for (const ClientState& client : clients_) {
    result_.acknowledged += client.model->acknowledged();
    result_.left_open += client.model->left_open();
  }
  result_.primaries = broker_terms_.size();
  return result_;
}

std::unique_ptr<BrokerCore> World::NewBroker() const {
  BrokerConfig broker_config;
  broker_config.primary_liveness = Millis(kBrokerLivenessMs);
  broker_config.cluster_size = static_cast<uint32_t>(node_count_);
  broker_config.hold_time = Millis(1'000);
  broker_config.client_idle_timeout = Millis(3'000);
  broker_config.shutdown = ShutdownConfig{Millis(kShutdownResendMs), Millis(kShutdownGraceMs)};
  return std::make_unique<BrokerCore>(broker_config, TimePoint(now_));
}

// ---- network --------------------------------------------------------------

bool World::Cut(int a, int b) const {
  auto it = cuts_.find({std::min(a, b), std::max(a, b)});
  return it != cuts_.end() && it->second > 0;
}

int64_t World::Delay() {
  int64_t delay = random_.Between(1, 4);
  if (lossy() && random_.Chance(20'000)) delay += random_.Between(5, 120);  // a late one: reorders
  return delay;
}

template <class Make>
void World::Transmit(int from, int to, Make make) {
  if (Cut(from, to)) return;
  if (lossy() && random_.Chance(drop_per_million_)) return;
  At(now_ + Delay(), make());
  if (lossy() && random_.Chance(duplicate_per_million_)) At(now_ + Delay(), make());
}

void World::SendNodeActions(NodeId from, NodeActions actions) {
  for (const NodeEvent& event : actions.events) {
    Trace("node " + std::to_string(from) + " event " + std::string(NodeEventKindName(event.kind)) + ": " +
          event.text);
    if (event.kind == NodeEventKind::kBecamePrimary) {
      became_primary_at_[from] = now_;
      auto [it, inserted] = node_terms_.emplace(event.term, from);
      if (!inserted && it->second != from) {
        Fail("nodes " + std::to_string(it->second) + " and " + std::to_string(from) +
             " both acted as primary in term " + std::to_string(event.term));
      }
    }
  }
  if (actions.save_and_exit) {
    if (!shutdown_.begun) Fail("node " + std::to_string(from) + " asked to save and exit");
    shutdown_.saved.insert(from);
  }
  CheckReplyStamps(from, actions);
  CheckDurableClaims(from, actions);
  for (const PeerMessage& message : actions.to_bus) {
    for (const auto& [id, node] : nodes_) {
      if (id == from) continue;
      const NodeId to = id;
      Transmit(static_cast<int>(from), static_cast<int>(to), [&] { return ToNode{to, message}; });
    }
  }
  for (PeerSend& send : actions.to_peer) {
    const NodeId to = send.to;
    Transmit(static_cast<int>(from), static_cast<int>(to), [&] { return ToNode{to, send.message}; });
  }
  for (NodeToBroker& message : actions.to_broker) {
    // A reply goes back through the broker its request came by; the rest to both.
    const auto* reply = std::get_if<ClientReplyFrame>(&message);
    for (BrokerId b : {BrokerId{1}, BrokerId{2}}) {
      if (reply != nullptr && reply->client.via != b) continue;
      Transmit(static_cast<int>(from), BrokerEndpoint(b), [&] { return ToBroker{message, b}; });
    }
  }
}

void World::SendBrokerActions(BrokerActions actions, BrokerId from) {
  if (shutdown_.begun && from == shutdown_.via) CheckBrokerActionsWhileStopping(actions);
  for (const BrokerEvent& event : actions.events) {
    Trace("broker " + std::to_string(from) + " event: " + event.text);
    if (event.kind == BrokerEventKind::kPrimaryAccepted) {
      auto [it, inserted] = broker_terms_.emplace(event.term, event.node);
      if (!inserted && it->second != event.node) {
        Fail("a broker (" + std::to_string(from) + " now) accepted nodes " + std::to_string(it->second) + " and " +
             std::to_string(event.node) + " as primary of term " + std::to_string(event.term));
      }
    }
  }
  for (NodeSend& send : actions.to_nodes) {
    const NodeId to = send.to;
    Transmit(BrokerEndpoint(from), static_cast<int>(to), [&] { return ToNode{to, send.message, from}; });
  }
  for (ClientFrame& frame : actions.to_clients) {
    if (frame.client.rfind("late.", 0) == 0) {  // the request sent during the shutdown
      auto reply = DecodeReply(frame.frame);
      if (!reply.ok()) return Fail("the late client got an undecodable reply: " + reply.error().message);
      shutdown_.late_replies.push_back(reply.value());
      continue;
    }
    // Client links are TCP: no drops, short delays.
    for (uint32_t i = 0; i < clients_.size(); ++i) {
      if (frame.client.rfind("client" + std::to_string(i) + ".", 0) == 0) {
        At(now_ + random_.Between(1, 3), ToClient{i, frame.client, frame.frame});
      }
    }
  }
  for (ClientFrame& answer : actions.to_operators) {
    auto reply = DecodeReply(answer.frame);
    if (!reply.ok()) return Fail("an operator got an undecodable answer: " + reply.error().message);
    Trace("operator " + answer.client + " <- " + (reply.value().error ? reply.value().error->message : "ok"));
    shutdown_.answers[answer.client].push_back(reply.value());
  }
  if (actions.exit && from == shutdown_.via && !shutdown_.broker_exited) {
    Trace("BROKER EXITS");
    shutdown_.broker_exited = true;
    shutdown_.exited_at = now_;
    At(now_ + kShutdownSettleMs, ShutdownCheck{});
  }
}

// ---- event handlers -------------------------------------------------------

void World::Handle(ToNode& e) {
  SimNode& node = nodes_.at(e.to);
  if (!node.core) return;  // crashed: the message is lost
  if (options_.trace) {
    Trace("node " + std::to_string(e.to) + " <- " +
          std::visit([](const auto& m) { return Describe(m); }, e.message));
  }
  NodeActions actions = std::visit(
      [&](const auto& m) {
        if constexpr (std::is_same_v<std::decay_t<decltype(m)>, BrokerToNode>) {
          return node.core->on_message(e.from_broker, m, TimePoint(now_));
        } else {
          return node.core->on_message(m, TimePoint(now_));
        }
      },
      e.message);
  SendNodeActions(e.to, std::move(actions));
  dirty_.insert(e.to);
}

void World::Handle(ToBroker& e) {
  const bool two = e.broker == 2;
  if (two ? broker2_down_ : broker_down_) return;  // not joined yet, crashed, or stopped: lost
  if (shutdown_.broker_exited && e.broker == shutdown_.via) return;  // its sockets are closed: lost
  BrokerCore& broker = two ? *broker2_ : *broker_;
  const std::string name = two ? "broker 2" : "broker";
  BrokerActions actions;
  if (auto* from_node = std::get_if<NodeToBroker>(&e.message)) {
    if (options_.trace) Trace(name + " <- " + Describe(*from_node));
    shutdown_.last_heard_by_broker[{e.broker, SenderOf(*from_node)}] = now_;
    actions = broker.on_node_message(*from_node, TimePoint(now_));
  } else if (auto* from_operator = std::get_if<OperatorFrame>(&e.message)) {
    return HandleOperatorFrame(*from_operator);
  } else {
    auto& [address, frame] = std::get<std::pair<ClientAddress, std::string>>(e.message);
    if (address.rfind("late.", 0) == 0) shutdown_.late_request_delivered = true;
    if (options_.trace) Trace(name + " <- request from " + address);
    actions = broker.on_client_frame(address, std::move(frame), TimePoint(now_));
  }
  SendBrokerActions(std::move(actions), e.broker);
}

void World::Handle(ToClient& e) {
  ClientState& client = clients_.at(e.client);
  if (e.address != client.address) return;  // the old socket is closed
  auto reply = DecodeReply(e.frame);
  if (!reply.ok()) return Fail("client got an undecodable reply: " + reply.error().message);
  if (options_.trace) {
    const Reply& r = reply.value();
    std::string what;
    for (const Pair& pair : r.pairs) what += " " + TupleText(pair.key) + "=" + TupleText(pair.value);
    for (const Rejection& x : r.rejected) what += " " + TupleText(x.pair.key) + ":" + std::string(RejectReasonName(x.reason));
    Trace("client " + std::to_string(e.client) + " <- reply #" + std::to_string(r.id.request_number) + " from node " +
          std::to_string(r.served_by) + " term " + std::to_string(r.term) +
          (r.error ? " error " + r.error->message : " ok" + what));
  }
  const bool answered = client.model->OnReply(reply.value());
  // Async mode acknowledges before replicating: a failover may lose a write.
  if (client.model->failure() && !options_.async_replies) return Fail(*client.model->failure());
  if (answered) {
    Wake(e.client, random_.Between(0, 30));
  } else if (client.model->current() && reply.value().id == client.model->current()->id) {
    Wake(e.client, 50);  // unavailable / "nothing was changed": send it again soon
  }
}

// The end of a node's poll cycle: on_tick publishes the cycle's batch, then
// the shell writes the cycle's work to the disk and starts its fdatasync,
// which returns a little later (DiskSynced). Writes made meanwhile join that
// sync or the next one, as with a writer thread: a crash before it returns
// may drop any suffix of them.
void World::EndCycle(NodeId id) {
  SimNode& node = nodes_.at(id);
  if (!node.core) return;
  SendNodeActions(id, node.core->on_tick(TimePoint(now_)));
  if (!node.core) return;
  Status written = node.log->Write(*node.core);
  if (!written.ok()) return Fail("node " + std::to_string(id) + ": its log failed: " + written.error().message);
  const bool to_sync = node.log->writer().unsynced_bytes() > 0 || node.core->durable() != node.log->writer().last();
  if (to_sync && !node.sync_pending) {
    node.sync_pending = true;
    At(now_ + random_.Between(0, 4), DiskSynced{id, node.incarnation});
  }
}

void World::Handle(DiskSynced& e) {
  SimNode& node = nodes_.at(e.node);
  if (!node.core || node.incarnation != e.incarnation) return;
  node.sync_pending = false;
  Result<NodeActions> released = node.log->Sync(*node.core, TimePoint(now_));
  if (!released.ok()) return Fail("node " + std::to_string(e.node) + ": its log failed: " + released.error().message);
  node.on_disk = node.log->writer().last();
  SendNodeActions(e.node, std::move(released).value());
}

void World::Handle(NodeTick& e) {
  SimNode& node = nodes_.at(e.node);
  if (!node.core || node.incarnation != e.incarnation) return;
  EndCycle(e.node);
  CheckPrimaryHoldsNothingBack(e.node);
  At(now_ + kNodeTickMs, NodeTick{e.node, e.incarnation});
}

void World::Handle(BrokerTick& e) {
  if (e.broker == 2) {
    if (broker2_down_) return;  // its restart starts the ticks again
    if (shutdown_.broker_exited && shutdown_.via == 2) return;
    SendBrokerActions(broker2_->on_tick(TimePoint(now_)), 2);
    return At(now_ + kBrokerTickMs, BrokerTick{2});
  }
  if (shutdown_.broker_exited && shutdown_.via == 1) return;
  if (shutdown_.begun && shutdown_.via == 2) return;  // crashed for good
  if (broker_down_) return At(now_ + kBrokerTickMs, BrokerTick{1});
  SendBrokerActions(broker_->on_tick(TimePoint(now_)));
  At(now_ + kBrokerTickMs, BrokerTick{1});
}

void World::Handle(ClientWake& e) {
  ClientState& client = clients_.at(e.client);
  if (e.generation != client.generation) return;
  if (client.model->current()) {
    SendCurrent(e.client, /*is_retry=*/true);  // timed out (or told to retry)
    return;
  }
  if (now_ >= fault_end_ + kClientStopAfterFaultsMs) return;  // done issuing
  if (client.model->NextRequest(random_)) SendCurrent(e.client, false);
}

void World::SendCurrent(uint32_t index, bool is_retry) {
  ClientState& client = clients_.at(index);
  if (is_retry && broker2_joined_ && !shutdown_.begun && random_.Below(2) == 0) {
    // It moves to the other broker (a new socket there), same request id:
    // the primary must apply it once, whichever broker brings it.
    client.broker = client.broker == 1 ? 2 : 1;
    client.address = "client" + std::to_string(index) + "." + std::to_string(++client.reconnects);
  } else if (is_retry && random_.Below(4) == 0) {
    // A REQ client reopens its socket: a new routing id at the broker.
    client.address = "client" + std::to_string(index) + "." + std::to_string(++client.reconnects);
  }
  const Request& request = *client.model->current();
  if (options_.trace) {
    std::string what = request.key_pattern.empty() ? "" : " " + request.key_pattern + " " + request.value_pattern;
    for (const Pair& pair : request.pairs) what += " " + TupleText(pair.key) + "=" + TupleText(pair.value);
    Trace("client " + std::to_string(index) + " -> " + request.op_name + " #" +
          std::to_string(request.id.request_number) + what + (is_retry ? " (retry)" : ""));
  }
  At(now_ + random_.Between(1, 3), ToBroker{std::make_pair(client.address, EncodeRequest(request)), client.broker});
  Wake(index, kClientTimeoutMs);
}

void World::Wake(uint32_t index, int64_t after_ms) {
  ClientState& client = clients_.at(index);
  At(now_ + after_ms, ClientWake{index, ++client.generation});
}

}  // namespace ts::sim::detail
