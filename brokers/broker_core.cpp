#include "brokers/broker_core.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "schema/codec.h"

namespace ts::cluster {
namespace {
std::string N(uint64_t value) { return std::to_string(value); }
std::string Clients(uint64_t count) { return N(count) + (count == 1 ? " client" : " clients"); }
}  // namespace

NodeId SenderOf(const NodeToBroker& message) {
  return std::visit(
      [](const auto& m) -> NodeId {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Heartbeat>) {
          return m.from;
        } else {
          return m.node;
        }
      },
      message);
}

void BrokerActions::Append(BrokerActions&& other) {
  for (auto& m : other.to_clients) to_clients.push_back(std::move(m));
  for (auto& m : other.to_operators) to_operators.push_back(std::move(m));
  for (auto& m : other.to_nodes) to_nodes.push_back(std::move(m));
  for (auto& e : other.events) events.push_back(std::move(e));
  exit = exit || other.exit;
}

// Nothing is live at the start: a node (and the primary) only once heard.
BrokerCore::BrokerCore(BrokerConfig config, TimePoint)
    : config_(std::move(config)), nodes_(config_.primary_liveness), shutdown_(config_.shutdown) {}

BrokerPhase BrokerCore::phase() const {
  if (!shutdown_.started()) return BrokerPhase::kServing;
  return shutdown_.finished() ? BrokerPhase::kStopped : BrokerPhase::kStopping;
}

bool BrokerCore::primary_live(TimePoint now) const {
  return primary_ != kNoNode && primary_liveness_.Live(now, config_.primary_liveness);
}

NodesInSight BrokerCore::sight(TimePoint now) const {
  return NodesInSight{primary_, served_term_, primary_live(now), live_nodes(now)};
}

size_t BrokerCore::held_count() const {
  size_t held = 0;
  for (const auto& [address, slot] : clients_) {
    for (const auto& [token, request] : slot.outstanding) held += request.sent_in_term == 0 ? 1 : 0;
  }
  return held;
}

// ---- clients --------------------------------------------------------------

BrokerActions BrokerCore::on_client_frame(const ClientAddress& client, std::string frame, TimePoint now) {
  BrokerActions out;
  if (phase() != BrokerPhase::kServing) {  // the primary is stopping: say so rather than let it time out
    ++stats_.requests_refused_stopping;
    out.to_clients.push_back(
        generated_reply(client, frame, ErrorKind::kUnavailable, "the service is shutting down", 0));
    return out;
  }
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    expire_idle(now);
    if (clients_.size() >= config_.max_clients) {
      ++stats_.clients_refused;
      // The reply's kind says "service refused"; its message says why.
      out.to_clients.push_back(generated_reply(
          client, frame, ErrorKind::kServiceRefused,
          "the broker serves at most " + Clients(config_.max_clients) + " at a time", served_term_));
      out.events.push_back(BrokerEvent{BrokerEventKind::kClientRefused, kNoNode, served_term_,
                                       "client refused: the broker serves at most " +
                                           Clients(config_.max_clients) + " at a time"});
      return out;
    }
    it = clients_.emplace(client, ClientSlot{}).first;
  }
  ClientSlot& slot = it->second;
  slot.last_activity = now;
  const uint64_t token = next_token_++;
  Outstanding& request = slot.outstanding[token];
  request.frame = std::move(frame);
  request.held_since = now;
  if (primary_live(now)) send_to_primary(client, token, request, out);
  return out;
}

BrokerActions BrokerCore::on_client_left(const ClientAddress& client, TimePoint) {
  clients_.erase(client);
  return {};
}

void BrokerCore::send_to_primary(const ClientAddress& client, uint64_t token, Outstanding& request,
                                 BrokerActions& out) {
  if (request.sent_before) ++stats_.requests_reforwarded;
  request.sent_before = true;
  ++stats_.requests_forwarded;
  request.sent_in_term = served_term_;
  out.to_nodes.push_back(NodeSend{primary_, ClientRequestFrame{ClientTag{client, token}, request.frame}});
}

// Sends every held request to the (live) primary, oldest first across clients.
void BrokerCore::release_held(TimePoint now, BrokerActions& out) {
  if (!primary_live(now)) return;
  std::vector<std::pair<uint64_t, const ClientAddress*>> held;
  for (auto& [address, slot] : clients_) {
    for (auto& [token, request] : slot.outstanding) {
      if (request.sent_in_term == 0) held.emplace_back(token, &address);
    }
  }
  std::sort(held.begin(), held.end());
  for (const auto& [token, address] : held) {
    send_to_primary(*address, token, clients_.at(*address).outstanding.at(token), out);
  }
}

void BrokerCore::mark_sent_requests_held(TimePoint now) {
  for (auto& [address, slot] : clients_) {
    for (auto& [token, request] : slot.outstanding) {
      if (request.sent_in_term != 0) {
        request.sent_in_term = 0;
        request.held_since = now;
      }
    }
  }
}

void BrokerCore::expire_held(TimePoint now, BrokerActions& out) {
  for (auto& [address, slot] : clients_) {
    for (auto it = slot.outstanding.begin(); it != slot.outstanding.end();) {
      if (it->second.sent_in_term == 0 && now - it->second.held_since >= config_.hold_time) {
        ++stats_.requests_unavailable;
        out.to_clients.push_back(generated_reply(
            address, it->second.frame, ErrorKind::kUnavailable,
            "no primary for " + N(config_.hold_time.count()) + " ms (failover under way?)", served_term_));
        it = slot.outstanding.erase(it);
        slot.last_activity = now;
      } else {
        ++it;
      }
    }
  }
}

// A slot with a request still out (held, or with the primary) is not idle:
// its client is waiting for us, and its reply must find the slot.
void BrokerCore::expire_idle(TimePoint now) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    if (it->second.outstanding.empty() && now - it->second.last_activity > config_.client_idle_timeout) {
      ++stats_.slots_expired;
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
}

ClientFrame BrokerCore::generated_reply(const ClientAddress& client, const std::string& request_frame,
                                        ErrorKind kind, std::string message, uint64_t term) const {
  Reply reply;
  // Only to echo the request's id and op name: the broker routes, it does not serve.
  auto request = DecodeRequest(request_frame);
  if (request.ok()) {
    reply.id = request.value().id;
    reply.op_name = request.value().op_name;
  }
  reply.error = Error{kind, std::move(message)};
  reply.term = term;
  return ClientFrame{client, EncodeReply(reply)};
}

// ---- nodes ----------------------------------------------------------------

BrokerActions BrokerCore::on_node_message(const NodeToBroker& message, TimePoint now) {
  switch (phase()) {
    case BrokerPhase::kStopped:
      return {};
    case BrokerPhase::kStopping:
      if (std::holds_alternative<PreVoteRequest>(message) || std::holds_alternative<Registration>(message)) {
        return ignore_while_stopping(message, now);
      }
      break;
    case BrokerPhase::kServing:
      break;
  }
  return std::visit([&](const auto& m) { return handle(m, now); }, message);
}

void BrokerCore::on_ill_formed_node_frame() { ++stats_.node_frames_ill_formed; }

// No term may start while the service stops: not answered, so the node's
// election waits (and the handshake tells it to stop). It was heard all
// the same: a node asking for a term is live, and not stopped.
BrokerActions BrokerCore::ignore_while_stopping(const NodeToBroker& message, TimePoint now) {
  BrokerActions out;
  const NodeId node = SenderOf(message);
  heard_from(node, now, out);
  ++stats_.terms_refused_stopping;
  out.events.push_back(BrokerEvent{BrokerEventKind::kShutdownIgnored, node, served_term_,
                                   "shutting down: no new term; ignored " + Describe(message) + " from node " +
                                       N(node)});
  return out;
}

void BrokerCore::heard_from(NodeId node, TimePoint now, BrokerActions& out) {
  switch (nodes_.Heard(node, now)) {
    case LivenessChange::kSeen:
      out.events.push_back(BrokerEvent{BrokerEventKind::kNodeSeen, node, served_term_, "node " + N(node) + " seen"});
      break;
    case LivenessChange::kRejoined:
      out.events.push_back(BrokerEvent{BrokerEventKind::kNodeSeen, node, served_term_, "node " + N(node) + " is back"});
      break;
    case LivenessChange::kNone:
      break;
  }
}

BrokerStatus BrokerCore::status_now(TimePoint now) const {
  return BrokerStatus{served_term_, primary_, primary_live(now), committed_};
}

BrokerActions BrokerCore::handle(const Heartbeat& heartbeat, TimePoint now) {
  BrokerActions out;
  const NodeId node = heartbeat.from;
  if (heartbeat.role == Role::kStopped) {
    // Its last word: it saves and exits. Not live from now on (a repeat, or a
    // duplicate, does not bring it back), and it confirms a shutdown under way.
    if (nodes_.Heard(node, now) == LivenessChange::kSeen) {
      out.events.push_back(BrokerEvent{BrokerEventKind::kNodeSeen, node, served_term_, "node " + N(node) + " seen"});
    }
    nodes_.MarkDead(node);
    shutdown_.Confirm(node);
  } else {
    heard_from(node, now, out);
  }
  if (node == primary_) {
    if (heartbeat.role == Role::kPrimary && heartbeat.term == served_term_) {
      primary_liveness_.Heard(now);
      if (heartbeat.committed_seq > 0) {
        committed_ = std::max(committed_, LogPosition{served_term_, heartbeat.committed_seq});
      }
      // Requests held since its window passed (noticed by a tick or not) go now.
      release_held(now, out);
    } else if (heartbeat.term >= served_term_) {
      // The registered primary says it is not (it stepped down, or stops):
      // stop waiting for it. (A heartbeat of an older term is one it sent
      // before winning.)
      primary_liveness_.MarkDead();
      notice_primary_loss(now, out);
    }
  }
  out.to_nodes.push_back(NodeSend{node, status_now(now)});
  return out;
}

BrokerActions BrokerCore::handle(const PreVoteRequest& request, TimePoint now) {
  BrokerActions out;
  heard_from(request.node, now, out);
  PreVoteAnswer answer{request.proposed_term, false, served_term_, primary_, "", committed_};
  std::string reason;  // what makes a refusal news
  if (primary_live(now) && request.node != primary_) {
    answer.reason = "primary " + N(primary_) + " of term " + N(served_term_) + " is live";
    reason = answer.reason;
  } else if (request.last < committed_) {
    answer.reason = "log at " + Describe(request.last) + " lacks committed " + Describe(committed_);
    reason = answer.reason;
    lacks_history(request.node, request.last, out);
  } else {
    answer.granted = true;
  }
  const std::string text = "pre-vote of node " + N(request.node) + " for term " + N(request.proposed_term) +
                           (answer.granted ? " granted" : " refused: " + answer.reason);
  if (answer.granted) {
    refusals_said_.erase({request.node, BrokerEventKind::kPreVote});
    out.events.push_back(BrokerEvent{BrokerEventKind::kPreVote, request.node, request.proposed_term, text});
  } else {
    refused(request.node, request.proposed_term, BrokerEventKind::kPreVote, "pre-vote: " + reason, text, out);
  }
  out.to_nodes.push_back(NodeSend{request.node, std::move(answer)});
  return out;
}

BrokerActions BrokerCore::handle(const Registration& registration, TimePoint now) {
  BrokerActions out;
  heard_from(registration.node, now, out);
  RegistrationAnswer answer{registration.term, false, served_term_, primary_, ""};
  const bool same = registration.term == served_term_ && registration.node == primary_;
  std::string reason;
  // The proof comes first and from the registration alone: a broker that
  // just started (or any other broker) checks it the same way, so no
  // broker's memory decides who leads a term.
  // The size is the broker's own (--cluster-size), never the node's claim.
  const std::string no_majority = WhyNotMajority(registration.voters, config_.cluster_size);
  if (config_.cluster_size == 0) {
    answer.reason = "the broker was not told the cluster's size (tsbroker --cluster-size N)";
    reason = "no cluster size";
  } else if (registration.cluster_size != config_.cluster_size) {
    answer.reason = "it counts a cluster of " + N(registration.cluster_size) + " nodes; this broker serves " +
                    N(config_.cluster_size) + " (tsbroker --cluster-size, tsnode --peer)";
    reason = "cluster of " + N(registration.cluster_size) + " nodes";
  } else if (!no_majority.empty()) {
    answer.reason = "term " + N(registration.term) + " has no majority's votes: " + no_majority;
    reason = "no majority's votes";
  } else if (registration.term < served_term_ || (registration.term == served_term_ && !same)) {
    answer.reason = "term " + N(registration.term) + " is not above served term " + N(served_term_) +
                    " (primary " + N(primary_) + ")";
    reason = "term not above " + N(served_term_) + " of " + N(primary_);
  } else if (registration.last < committed_) {
    answer.reason = "log at " + Describe(registration.last) + " lacks committed " + Describe(committed_);
    reason = answer.reason;
    lacks_history(registration.node, registration.last, out);
  } else {
    answer.accepted = true;
  }
  if (!answer.accepted) {
    refused(registration.node, registration.term, BrokerEventKind::kPrimaryRefused, "registration: " + reason,
            "registration refused: " + answer.reason, out);
    out.to_nodes.push_back(NodeSend{registration.node, std::move(answer)});
    return out;
  }
  refusals_said_.erase({registration.node, BrokerEventKind::kPreVote});
  refusals_said_.erase({registration.node, BrokerEventKind::kPrimaryRefused});
  history_back(registration.node, out);
  served_term_ = registration.term;
  primary_ = registration.node;
  if (!same) primary_liveness_ = Liveness();  // a new primary: its own record
  primary_liveness_.Heard(now);
  answer.served_term = served_term_;
  answer.primary_id = primary_;
  out.to_nodes.push_back(NodeSend{registration.node, std::move(answer)});
  if (!same) {
    out.events.push_back(BrokerEvent{BrokerEventKind::kPrimaryAccepted, primary_, served_term_,
                                     "node " + N(primary_) + " is primary for term " + N(served_term_)});
    mark_sent_requests_held(now);  // unanswered requests go to the new primary
  }
  release_held(now, out);
  return out;
}

BrokerActions BrokerCore::handle(const ClientReplyFrame& reply, TimePoint now) {
  BrokerActions out;
  heard_from(reply.node, now, out);
  if (reply.node != primary_) {
    ++stats_.replies_not_primary;
    return out;
  }
  if (reply.committed.seq > 0 && reply.committed.term == served_term_) {
    committed_ = std::max(committed_, reply.committed);
  }
  if (config_.validate_replies && !DecodeReply(reply.frame).ok()) {
    ++stats_.replies_ill_formed;
    return out;
  }
  auto slot = clients_.find(reply.client.address);
  if (slot == clients_.end() || slot->second.outstanding.erase(reply.client.token) == 0) {
    ++stats_.replies_departed;
    return out;
  }
  slot->second.last_activity = now;
  ++stats_.replies_relayed;
  out.to_clients.push_back(ClientFrame{reply.client.address, reply.frame});
  return out;
}

void BrokerCore::refused(NodeId node, uint64_t term, BrokerEventKind kind, const std::string& reason,
                         const std::string& text, BrokerActions& out) {
  std::string& said = refusals_said_[{node, kind}];
  if (said == reason) {
    ++stats_.refusals_repeated;
    return;
  }
  said = reason;
  out.events.push_back(BrokerEvent{kind, node, term, text});
}

// A candidate lacks the committed position: until a node that holds it comes
// back, the service cannot (the broker will not let acknowledged writes go).
void BrokerCore::lacks_history(NodeId node, LogPosition last, BrokerActions& out) {
  lacking_history_[node] = last;
  std::string candidates;
  for (const auto& [id, log] : lacking_history_) {
    candidates += (candidates.empty() ? "" : "; ") + ("node " + N(id) + " at " + Describe(log));
  }
  const std::string waiting = "no node that holds committed " + Describe(committed_) +
                              " has asked to lead (refused: " + candidates +
                              "); the service is back once one of the nodes that hold the acknowledged writes is";
  if (waiting == waiting_for_history_) return;
  waiting_for_history_ = waiting;
  out.events.push_back(BrokerEvent{BrokerEventKind::kServiceWaiting, node, served_term_, "waiting: " + waiting});
}

void BrokerCore::history_back(NodeId node, BrokerActions& out) {
  lacking_history_.clear();
  if (waiting_for_history_.empty()) return;
  waiting_for_history_.clear();
  out.events.push_back(BrokerEvent{BrokerEventKind::kServiceBack, node, served_term_,
                                   "the service is back: node " + N(node) + " holds committed " + Describe(committed_)});
}

void BrokerCore::notice_primary_loss(TimePoint now, BrokerActions& out) {
  if (primary_ == kNoNode || !primary_liveness_.TakeFailure(now, config_.primary_liveness)) return;
  out.events.push_back(BrokerEvent{BrokerEventKind::kPrimaryLost, primary_, served_term_,
                                   "primary " + N(primary_) + " of term " + N(served_term_) +
                                       " is not live; holding requests"});
  mark_sent_requests_held(now);
}

void BrokerCore::notice_node_failures(TimePoint now, BrokerActions& out) {
  for (NodeId node : nodes_.TakeFailures(now)) {
    if (shutdown_.confirmed(node)) {
      out.events.push_back(BrokerEvent{BrokerEventKind::kNodeStopped, node, served_term_, "node " + N(node) + " stopped"});
    } else {
      out.events.push_back(BrokerEvent{BrokerEventKind::kNodeLost, node, served_term_, "node " + N(node) + " is silent"});
    }
  }
}

// ---- shutdown -------------------------------------------------------------

BrokerActions BrokerCore::on_shutdown_frame(const ClientAddress& sender, const std::string& frame, TimePoint now) {
  BrokerActions out;
  Result<Request> request = DecodeRequest(frame);
  Reply reply;
  if (request.ok()) {
    reply.id = request.value().id;
    reply.op_name = request.value().op_name;
  }
  if (request.ok() && request.value().op_name == kShutdownOpName) {
    shutdown_.OnShutdownRequest(sender, std::move(reply), now, sight(now), out);
    return out;
  }
  ++stats_.shutdown_frames_refused;
  const std::string why = request.ok() ? "op \"" + request.value().op_name + "\"" : request.error().message;
  reply.error = Error{ErrorKind::kMalformedRequest, "the shutdown endpoint takes only a SHUTDOWN request; got " + why};
  out.to_operators.push_back(ClientFrame{sender, EncodeReply(reply)});
  out.events.push_back(BrokerEvent{BrokerEventKind::kShutdownFrameRefused, kNoNode, served_term_,
                                   "shutdown endpoint: refused a frame: " + why});
  return out;
}

BrokerActions BrokerCore::on_tick(TimePoint now) {
  BrokerActions out;
  if (phase() == BrokerPhase::kStopped) return out;
  notice_primary_loss(now, out);
  notice_node_failures(now, out);
  expire_held(now, out);
  expire_idle(now);
  shutdown_.OnTick(now, sight(now), out);
  return out;
}

}  // namespace ts::cluster
