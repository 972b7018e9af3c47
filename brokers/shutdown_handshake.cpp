#include "brokers/shutdown_handshake.h"

#include <utility>
#include <variant>

namespace ts::cluster {
namespace {

std::string NodeList(const std::vector<NodeId>& nodes) {
  std::string text = nodes.size() == 1 ? "node " : "nodes ";
  for (size_t i = 0; i < nodes.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(nodes[i]);
  return text;
}

}  // namespace

ShutdownStep ShutdownHandshake::Begin(TimePoint now, const NodesInSight& sight) {
  if (started_) return {};
  started_ = true;
  began_ = now;
  next_send_ = now;
  return OnTick(now, sight);
}

void ShutdownHandshake::OnNodeMessage(const NodeToBroker& message) {
  if (!started_ || finished()) return;
  if (const auto* heartbeat = std::get_if<Heartbeat>(&message); heartbeat && heartbeat->role == Role::kStopped) {
    confirmed_.insert(heartbeat->from);
  }
}

ShutdownStep ShutdownHandshake::OnTick(TimePoint now, const NodesInSight& sight) {
  if (!started_ || finished()) return {};
  std::vector<NodeId> unstopped;
  for (NodeId node : sight.live) {
    if (confirmed_.count(node) == 0) unstopped.push_back(node);
  }
  if (unstopped.empty()) return Finish(ShutdownOutcome::kConfirmed, {}, now);
  if (now - began_ >= config_.grace) return Finish(ShutdownOutcome::kTimedOut, std::move(unstopped), now);
  ShutdownStep step;
  if (now < next_send_) return step;
  next_send_ = now + config_.resend_interval;
  if (sight.primary_live && confirmed_.count(sight.primary) == 0) {
    step.send_to.push_back(sight.primary);
  } else {
    step.send_to = std::move(unstopped);
  }
  return step;
}

bool ShutdownHandshake::Admits(const NodeToBroker& message) const {
  if (!started_) return true;
  return !std::holds_alternative<PreVoteRequest>(message) && !std::holds_alternative<Registration>(message);
}

ShutdownStep ShutdownHandshake::Finish(ShutdownOutcome outcome, std::vector<NodeId> unconfirmed, TimePoint now) {
  outcome_ = outcome;
  unconfirmed_ = std::move(unconfirmed);
  ended_ = now;
  ShutdownStep step;
  step.finished = outcome;
  return step;
}

std::string ShutdownHandshake::Summary() const {
  if (!outcome_) return started_ ? "shutdown under way" : "no shutdown";
  const std::string took = std::to_string((ended_ - began_).count()) + " ms";
  if (*outcome_ == ShutdownOutcome::kTimedOut) {
    return "shutdown not confirmed within " + std::to_string(config_.grace.count()) + " ms: " +
           NodeList(unconfirmed_) + " still running (a node stops by itself after its broker timeout)";
  }
  if (confirmed_.empty()) return "no node is live: nothing to stop";
  return "shutdown confirmed in " + took + ": " +
         NodeList(std::vector<NodeId>(confirmed_.begin(), confirmed_.end())) + " stopped";
}

}  // namespace ts::cluster
