// The closing shutdown. Once the cluster has converged and the checks of
// sim_world.h passed, an operator sends SHUTDOWN to a broker's core through
// on_shutdown_frame, as tsbroker does: broker 1 with broker 2 stopping with
// the service, or (half the seeds) broker 2 while broker 1 is crashed, as
// tsctl's list does when its first broker is dead. Its Lazy Pirate retry follows from a
// new address, and a client request arrives meanwhile. The network is clean,
// or lossy again (the seed's drop and duplicate rates), or one node is cut
// from its peers (so a stopping primary's word does not reach every backup,
// and backups that lose their primary ask for a new term). The sim keeps its
// own record (who asked, who was answered, which node saved, when the broker
// last heard each node) and checks the broker's decisions against it.
#include <algorithm>
#include <optional>
#include <utility>

#include "schema/codec.h"
#include "tests/sim/sim_world_internal.h"

namespace ts::sim::detail {
namespace {

const RequestId kShutdownRequestId{999, 1};

std::string ShutdownFrame() {
  Request shutdown;
  shutdown.op_name = "SHUTDOWN";
  shutdown.id = kShutdownRequestId;
  return EncodeRequest(shutdown);
}

std::string ModeName(ShutdownRecord::Mode mode) {
  switch (mode) {
    case ShutdownRecord::Mode::kClean: return "clean network";
    case ShutdownRecord::Mode::kLossy: return "lossy network";
    case ShutdownRecord::Mode::kNodeCutFromPeers: return "one node cut from its peers";
  }
  return "?";
}

std::string N(int64_t value) { return std::to_string(value); }

}  // namespace

void World::BeginShutdown() {
  shutdown_.begun = true;
  // Through broker 1, broker 2 stopping with it (as `./run.sh down` shuts
  // each broker in turn, and the second finds no node); or through broker 2
  // with broker 1 crashed for good. Clients move to the one that is left.
  shutdown_.via = broker2_ && !broker2_down_ && random_.Below(2) == 0 ? 2 : 1;
  if (shutdown_.via == 2) {
    Trace("broker 1 CRASHES for good; the SHUTDOWN goes through broker 2");
    broker_.reset();
    broker_down_ = true;
    ++result_.shutdowns_via_broker2;
  } else {
    if (broker2_) Trace("broker 2 stops with the service");
    broker2_.reset();
    broker2_down_ = true;
    broker2_stopped_ = true;
  }
  for (ClientState& client : clients_) client.broker = shutdown_.via;
  shutdown_.mode = static_cast<ShutdownRecord::Mode>(random_.Below(3));
  std::string what = ModeName(shutdown_.mode);
  if (shutdown_.mode == ShutdownRecord::Mode::kNodeCutFromPeers) {
    const int victim = 1 + static_cast<int>(random_.Below(node_count_));
    for (int other = 1; other <= static_cast<int>(node_count_); ++other) {
      if (other != victim) ++cuts_[{std::min(victim, other), std::max(victim, other)}];
    }
    what += " (node " + N(victim) + ")";
  }
  // With a node cut off, the SHUTDOWN comes once its side has lost the other
  // (it is electing, so its pre-votes reach a stopping broker).
  const int64_t first =
      now_ + (shutdown_.mode == ShutdownRecord::Mode::kNodeCutFromPeers ? random_.Between(100, 400)
                                                                         : random_.Between(1, 50));
  Trace("SHUTDOWN at " + N(first) + " ms, " + what);
  // Operator links are TCP: no drops, and the order of sending. The retry and
  // the client request come just after the SHUTDOWN (a shutdown takes a few
  // ms); either may arrive after the broker exited, and then nobody answers.
  At(first, ToBroker{OperatorFrame{"operator.0", ShutdownFrame()}, shutdown_.via});
  At(first + random_.Between(0, 30), ToBroker{OperatorFrame{"operator.1", ShutdownFrame()}, shutdown_.via});
  Request late = MakeGet("late.*", ".*");
  late.id = RequestId{998, 1};
  At(first + random_.Between(0, 20),
     ToBroker{std::make_pair(ClientAddress("late.0"), EncodeRequest(late)), shutdown_.via});
  At(first + kShutdownGraceMs + 2 * kBrokerTickMs, ShutdownDeadline{});
}

void World::HandleOperatorFrame(OperatorFrame& frame) {
  if (shutdown_.began_at < 0) shutdown_.began_at = now_;
  shutdown_.delivered.insert(frame.sender);
  Trace("broker " + N(shutdown_.via) + " <- SHUTDOWN from " + frame.sender);
  SendBrokerActions(ShutdownBroker().on_shutdown_frame(frame.sender, frame.frame, TimePoint(now_)), shutdown_.via);
}

// Invariant: while the service stops, no term starts (no pre-vote or
// registration is answered, so none can win).
void World::CheckBrokerActionsWhileStopping(const BrokerActions& actions) {
  if (ShutdownBroker().phase() == BrokerPhase::kServing) return;
  for (const NodeSend& send : actions.to_nodes) {
    if (std::holds_alternative<PreVoteAnswer>(send.message) ||
        std::holds_alternative<RegistrationAnswer>(send.message)) {
      return Fail("while stopping, the broker sent node " + N(send.to) + " " + Describe(send.message));
    }
  }
}

void World::Handle(ShutdownDeadline&) {
  if (shutdown_.broker_exited) return;
  Fail("the broker has not exited " + N(now_ - shutdown_.began_at) + " ms after the SHUTDOWN (grace " +
       N(kShutdownGraceMs) + " ms): " + ShutdownBroker().shutdown().Summary());
}

void World::Handle(ShutdownCheck&) {
  CheckShutdownOutcome();
  done_ = true;
}

// Invariants at the end: every operator that asked got one answer, the same
// for all; the late client was told the service is shutting down; a node
// stopped if and only if it saved; "confirmed" means every node still running
// had been silent toward the broker for its liveness window (so it looked
// gone), "not confirmed" comes only after the grace; and with the broker's
// links intact (no loss) the shutdown is confirmed with every node stopped.
void World::CheckShutdownOutcome() {
  const int64_t took = shutdown_.exited_at - shutdown_.began_at;
  if (took > kShutdownGraceMs + kBrokerTickMs) return Fail("the broker took " + N(took) + " ms to exit");
  for (const auto& [sender, answers] : shutdown_.answers) {
    if (!shutdown_.delivered.contains(sender)) return Fail("the broker answered " + sender + ", who never asked");
  }
  std::optional<bool> confirmed;
  for (const ClientAddress& sender : shutdown_.delivered) {
    auto it = shutdown_.answers.find(sender);
    const size_t count = it == shutdown_.answers.end() ? 0 : it->second.size();
    if (count != 1) return Fail(sender + " got " + N(static_cast<int64_t>(count)) + " answers to its SHUTDOWN");
    const Reply& answer = it->second.front();
    if (answer.op_name != "SHUTDOWN" || answer.id != kShutdownRequestId) {
      return Fail(sender + "'s answer does not echo its SHUTDOWN (op " + answer.op_name + ")");
    }
    if (answer.error && answer.error->kind != ErrorKind::kUnavailable) {
      return Fail(sender + " was answered " + answer.error->message);
    }
    if (confirmed && *confirmed != answer.ok()) return Fail("the operators got different answers");
    confirmed = answer.ok();
  }
  if (!confirmed) return Fail("no operator's SHUTDOWN reached the broker");

  const size_t late_replies = shutdown_.late_replies.size();
  if (late_replies != (shutdown_.late_request_delivered ? 1u : 0u)) {
    return Fail("the client request sent during the shutdown got " + N(static_cast<int64_t>(late_replies)) +
                " replies");
  }
  for (const Reply& reply : shutdown_.late_replies) {
    if (!reply.error || reply.error->kind != ErrorKind::kUnavailable ||
        reply.error->message != "the service is shutting down") {
      return Fail("the client request sent during the shutdown was answered " +
                  (reply.error ? reply.error->message : std::string("ok")));
    }
  }

  std::vector<NodeId> running;
  for (const auto& [id, node] : nodes_) {
    const bool stopped = node.core && node.core->role() == Role::kStopped;
    if (stopped != shutdown_.saved.contains(id)) {
      return Fail("node " + N(id) + (stopped ? " stopped without saving" : " saved but did not stop"));
    }
    if (!stopped) running.push_back(id);
  }
  if (*confirmed) {
    for (NodeId id : running) {
      auto heard = shutdown_.last_heard_by_broker.find({shutdown_.via, id});
      if (heard != shutdown_.last_heard_by_broker.end() && shutdown_.exited_at - heard->second <= kBrokerLivenessMs) {
        return Fail("the broker said the shutdown was confirmed, but node " + N(id) + " still runs, heard " +
                    N(shutdown_.exited_at - heard->second) + " ms before");
      }
    }
  } else if (took < kShutdownGraceMs) {
    return Fail("the broker gave up on the shutdown after " + N(took) + " ms, before its grace");
  }
  if (shutdown_.mode != ShutdownRecord::Mode::kLossy && (!*confirmed || !running.empty())) {
    return Fail("with no loss toward the broker, the shutdown ended " + ShutdownBroker().shutdown().Summary() + " with " +
                N(static_cast<int64_t>(running.size())) + " node(s) still running");
  }
  result_.nodes_left_running = running.size();
  result_.terms_refused_stopping = ShutdownBroker().stats().terms_refused_stopping;
  result_.requests_refused_stopping = ShutdownBroker().stats().requests_refused_stopping;
  result_.operators_answered = shutdown_.answers.size();
  result_.shutdown_ms = took;
  Trace("shutdown checked (via broker " + N(shutdown_.via) + "): " + ShutdownBroker().shutdown().Summary() + "; " + N(static_cast<int64_t>(running.size())) +
        " node(s) still running");
}

}  // namespace ts::sim::detail
