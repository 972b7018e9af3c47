#include "brokers/shutdown_handshake.h"

#include "schema/codec.h"

namespace ts::cluster {
namespace {

std::string N(uint64_t value) { return std::to_string(value); }

std::string NodeList(const std::vector<NodeId>& nodes) {
  std::string text = nodes.size() == 1 ? "node " : "nodes ";
  for (size_t i = 0; i < nodes.size(); ++i) text += (i > 0 ? ", " : "") + N(nodes[i]);
  return text;
}

}  // namespace

void ShutdownHandshake::OnShutdownRequest(const ClientAddress& sender, Reply reply, TimePoint now,
                                          const NodesInSight& sight,
                                          BrokerActions& out) {
  if (finished()) return Answer(sender, std::move(reply), sight, out);
  operators_.emplace_back(sender, std::move(reply));
  if (started_) {
    out.events.push_back(BrokerEvent{BrokerEventKind::kShutdownRepeated, sight.primary, sight.served_term,
                                     "shutdown command received again; the shutdown under way will answer it"});
    return;
  }
  started_ = true;
  began_ = now;
  next_send_ = now;
  out.events.push_back(BrokerEvent{BrokerEventKind::kShutdownRequested, sight.primary, sight.served_term,
                                   "shutdown requested: the nodes are told to save and stop (at most " +
                                       N(config_.grace.count()) + " ms for them to confirm)"});
  OnTick(now, sight, out);
}

void ShutdownHandshake::Confirm(NodeId node) {
  if (started_ && !finished()) confirmed_.insert(node);
}

void ShutdownHandshake::OnTick(TimePoint now, const NodesInSight& sight, BrokerActions& out) {
  if (!started_ || finished()) return;
  std::vector<NodeId> unstopped;
  for (NodeId node : sight.live) {
    if (!confirmed_.contains(node)) unstopped.push_back(node);
  }
  if (unstopped.empty()) return Finish(ShutdownOutcome::kConfirmed, {}, now, sight, out);
  if (now - began_ >= config_.grace) return Finish(ShutdownOutcome::kTimedOut, std::move(unstopped), now, sight, out);
  if (now < next_send_) return;
  next_send_ = now + config_.resend_interval;
  std::vector<NodeId> send_to;
  if (sight.primary_live && !confirmed_.contains(sight.primary)) {
    send_to.push_back(sight.primary);
  } else {
    send_to = std::move(unstopped);
  }
  for (NodeId node : send_to) {
    const int attempt = ++commands_sent_[node];
    out.to_nodes.push_back(NodeSend{node, ShutdownCommand{}});
    if (attempt == 1) {
      out.events.push_back(BrokerEvent{BrokerEventKind::kShutdownRelayed, node, sight.served_term,
                                       "shutdown command to node " + N(node)});
    } else {
      out.events.push_back(BrokerEvent{BrokerEventKind::kShutdownResent, node, sight.served_term,
                                       "shutdown command to node " + N(node) + " again (attempt " + N(attempt) +
                                           "): not confirmed yet"});
    }
  }
}

void ShutdownHandshake::Finish(ShutdownOutcome outcome, std::vector<NodeId> unconfirmed, TimePoint now,
                               const NodesInSight& sight, BrokerActions& out) {
  outcome_ = outcome;
  unconfirmed_ = std::move(unconfirmed);
  ended_ = now;
  out.events.push_back(BrokerEvent{outcome == ShutdownOutcome::kConfirmed ? BrokerEventKind::kShutdownConfirmed
                                                                          : BrokerEventKind::kShutdownTimedOut,
                                   sight.primary, sight.served_term, Summary()});
  for (auto& [sender, reply] : operators_) Answer(sender, std::move(reply), sight, out);
  operators_.clear();
  out.exit = true;
}

void ShutdownHandshake::Answer(const ClientAddress& sender, Reply reply, const NodesInSight& sight,
                               BrokerActions& out) const {
  reply.served_by = sight.primary;
  reply.term = sight.served_term;
  if (outcome_ != ShutdownOutcome::kConfirmed) reply.error = Error{ErrorKind::kUnavailable, Summary()};
  out.to_operators.push_back(ClientFrame{sender, EncodeReply(reply)});
}

std::string ShutdownHandshake::Summary() const {
  if (!outcome_) return started_ ? "shutdown under way" : "no shutdown";
  const std::string took = N((ended_ - began_).count()) + " ms";
  if (*outcome_ == ShutdownOutcome::kTimedOut) {
    return "shutdown not confirmed within " + N(config_.grace.count()) + " ms: " + NodeList(unconfirmed_) +
           " still running (a node stops by itself after its broker timeout)";
  }
  if (confirmed_.empty()) return "no node is live: nothing to stop";
  return "shutdown confirmed in " + took + ": " +
         NodeList(std::vector<NodeId>(confirmed_.begin(), confirmed_.end())) + " stopped";
}

}  // namespace ts::cluster
