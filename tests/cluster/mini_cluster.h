// A tiny fault-free harness for NodeCore scenario tests: a BrokerCore and N
// NodeCores wired by instant, ordered delivery; nodes can be stopped,
// restarted (empty) and cut off from the broker or from each other. Time
// advances in 5 ms steps; every step delivers everything, then ticks all.
// A node may have a persist hook (its durable log, NodeConfig::durable): it
// runs after the node's tick, as a shell's end of cycle, and what it returns
// (on_durable's actions) is delivered like the rest.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "brokers/broker_core.h"
#include "nodes/cluster/node_core.h"
#include "schema/codec.h"

namespace ts::cluster::testing {

class MiniCluster {
 public:
  // `brokers` brokers (ids 1..B); every node talks to each.
  explicit MiniCluster(int nodes, NodeConfig base = {}, BrokerConfig broker_config = {}, int brokers = 1)
      : base_(base), node_count_(static_cast<size_t>(nodes)), broker_config_(Sized(broker_config, nodes)) {
    for (int b = 0; b < brokers; ++b) brokers_.emplace_back(broker_config_, TimePoint(0));
    for (NodeId id = 1; id <= static_cast<NodeId>(nodes); ++id) Start(id);
  }

  // The broker knows the cluster's size unless the test says otherwise.
  static BrokerConfig Sized(BrokerConfig config, int nodes) {
    if (config.cluster_size == 0) config.cluster_size = static_cast<uint32_t>(nodes);
    return config;
  }

  using Persist = std::function<NodeActions(NodeCore&, TimePoint)>;

  // prepare runs before the node's first event (Preload, Restore).
  void Start(NodeId id, const std::function<void(NodeCore&)>& prepare = {}) {
    NodeConfig config = base_;
    config.id = id;
    if (config.cluster_size == 0) config.cluster_size = node_count_;
    config.broker_count = static_cast<uint32_t>(brokers_.size());
    nodes_[id] = std::make_unique<NodeCore>(config, TimePoint(now_));
    if (prepare) prepare(*nodes_[id]);
  }
  void SetPersist(NodeId id, Persist persist) { persist_[id] = std::move(persist); }
  void Crash(NodeId id) { nodes_[id].reset(); }
  // The broker restarts with no memory (served term, primary, committed).
  void RestartBroker(BrokerId b = 1) { brokers_.at(b - 1) = BrokerCore(broker_config_, TimePoint(now_)); }
  // Link endpoints: node n is n; broker 1 is 0, broker b > 1 is -b (BrokerEnd).
  static int BrokerEnd(BrokerId b) { return b == 1 ? 0 : -static_cast<int>(b); }
  void Cut(int a, int b) { cuts_.insert({std::min(a, b), std::max(a, b)}); }  // 0 = broker 1
  void HealAll() { cuts_.clear(); }

  // Runs for `ms` of simulated time.
  void Run(int64_t ms) {
    const int64_t until = now_ + ms;
    while (now_ < until) {
      now_ += 5;
      Deliver();
      for (auto& [id, node] : nodes_) {
        if (node) Absorb(id, node->on_tick(TimePoint(now_)));
        if (node && persist_.count(id) != 0) Absorb(id, persist_[id](*node, TimePoint(now_)));
      }
      for (size_t b = 0; b < brokers_.size(); ++b) AbsorbBroker(Id(b), brokers_[b].on_tick(TimePoint(now_)));
      Deliver();
    }
  }
  // Runs until pred() holds or `limit_ms` passes; returns pred().
  template <class Pred>
  bool RunUntil(Pred pred, int64_t limit_ms = 10'000) {
    for (int64_t waited = 0; waited < limit_ms && !pred(); waited += 5) Run(5);
    return pred();
  }

  void SendRequest(const std::string& client, Request request, BrokerId through = 1) {
    AbsorbBroker(through, brokers_.at(through - 1).on_client_frame(client, EncodeRequest(request), TimePoint(now_)));
  }
  std::vector<Reply>& replies(const std::string& client) { return replies_[client]; }

  NodeCore* node(NodeId id) { return nodes_.at(id).get(); }
  BrokerCore& broker(BrokerId b = 1) { return brokers_.at(b - 1); }
  NodeId primary() const {
    for (const auto& [id, node] : nodes_) {
      if (node && node->role() == Role::kPrimary) return id;
    }
    return kNoNode;
  }
  int64_t now() const { return now_; }
  const std::vector<NodeEvent>& events() const { return events_; }
  std::vector<BrokerEvent>& broker_events() { return broker_events_; }
  std::set<NodeId>& exited() { return exited_; }

 private:
  // A broker's message to a node; a node's to broker `to`.
  struct Down { NodeId to; BrokerId from; BrokerToNode message; };
  struct Up { BrokerId to; NodeToBroker message; };
  using Delivery = std::variant<std::pair<NodeId, PeerMessage>, Down, Up>;
  struct Pending { int from; Delivery what; };
  static BrokerId Id(size_t index) { return static_cast<BrokerId>(index + 1); }

  bool Cutoff(int a, int b) const { return cuts_.count({std::min(a, b), std::max(a, b)}) > 0; }

  void Absorb(NodeId from, NodeActions actions) {
    for (auto& e : actions.events) events_.push_back(e);
    if (actions.save_and_exit) exited_.insert(from);
    for (auto& m : actions.to_bus) {
      for (auto& [id, node] : nodes_) {
        if (id != from) queue_.push_back({static_cast<int>(from), std::make_pair(id, m)});
      }
    }
    for (auto& send : actions.to_peer) queue_.push_back({static_cast<int>(from), std::make_pair(send.to, send.message)});
    for (auto& m : actions.to_broker) {
      if (const auto* reply = std::get_if<ClientReplyFrame>(&m)) {  // back through the broker it came by
        queue_.push_back({static_cast<int>(from), Up{reply->client.via, m}});
        continue;
      }
      for (size_t b = 0; b < brokers_.size(); ++b) queue_.push_back({static_cast<int>(from), Up{Id(b), m}});
    }
  }
  void AbsorbBroker(BrokerId b, BrokerActions actions) {
    for (auto& e : actions.events) broker_events_.push_back(e);
    for (auto& send : actions.to_nodes) queue_.push_back({BrokerEnd(b), Down{send.to, b, send.message}});
    for (auto& frame : actions.to_clients) {
      auto reply = DecodeReply(frame.frame);
      if (reply.ok()) replies_[frame.client].push_back(reply.value());
    }
  }
  void Deliver() {
    while (!queue_.empty()) {
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      if (p.from > 0 && !nodes_[static_cast<NodeId>(p.from)]) continue;  // sender crashed meanwhile
      if (auto* peer = std::get_if<std::pair<NodeId, PeerMessage>>(&p.what)) {
        auto& target = nodes_[peer->first];
        if (target && !Cutoff(p.from, static_cast<int>(peer->first))) {
          Absorb(peer->first, target->on_message(peer->second, TimePoint(now_)));
        }
      } else if (auto* down = std::get_if<Down>(&p.what)) {
        auto& target = nodes_[down->to];
        if (target && !Cutoff(BrokerEnd(down->from), static_cast<int>(down->to))) {
          Absorb(down->to, target->on_message(down->from, down->message, TimePoint(now_)));
        }
      } else if (auto* up = std::get_if<Up>(&p.what); up && !Cutoff(p.from, BrokerEnd(up->to))) {
        AbsorbBroker(up->to, brokers_.at(up->to - 1).on_node_message(up->message, TimePoint(now_)));
      }
    }
  }

  NodeConfig base_;
  size_t node_count_;
  BrokerConfig broker_config_;
  std::vector<BrokerCore> brokers_;
  std::map<NodeId, std::unique_ptr<NodeCore>> nodes_;
  std::map<NodeId, Persist> persist_;
  std::set<std::pair<int, int>> cuts_;
  std::deque<Pending> queue_;
  std::map<std::string, std::vector<Reply>> replies_;
  std::vector<NodeEvent> events_;
  std::vector<BrokerEvent> broker_events_;
  std::set<NodeId> exited_;
  int64_t now_ = 0;
};

}  // namespace ts::cluster::testing
