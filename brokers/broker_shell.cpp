#include "brokers/broker_shell.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "brokers/broker_core.h"
#include "brokers/broker_sockets.h"
#include "brokers/client_connections.h"
#include "brokers/broker_metrics.h"
#include "brokers/cluster_view.h"
#include "common/metrics/metrics_server.h"
#include "common/version.h"
#include "schema/cluster_codec.h"
#include "common/socket_support.h"
#include "schema/capnp_frame.h"
#include "schema/codec.h"
#include "schema/frame_bundle.h"

namespace ts::cluster {
namespace {

// ---- the loop ---------------------------------------------------------------

class Broker {
 public:
  Broker(const BrokerShellOptions& options, const security::ProcessSecurity& security, BrokerSockets sockets,
         TimePoint now, metrics::MetricsServer* metrics)
      : options_(options),
        security_(security),
        sockets_(std::move(sockets)),
        core_(options.core, now),
        view_(now, kVersion),
        metrics_(metrics) {}

  // One loop turn; false once the broker should exit.
  bool Turn() {
    zmq::pollitem_t items[] = {{sockets_.clients.handle(), 0, ZMQ_POLLIN, 0},
                               {sockets_.nodes.handle(), 0, ZMQ_POLLIN, 0},
                               {sockets_.shutdown.handle(), 0, ZMQ_POLLIN, 0},
                               {sockets_.client_monitor.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 4, options_.poll_interval);
    DrainClientEvents();  // before the client messages: see client_connections.h
    if (items[1].revents & ZMQ_POLLIN) DrainNodes();
    if (items[0].revents & ZMQ_POLLIN) DrainClients();
    if (items[2].revents & ZMQ_POLLIN) DrainShutdown();
    const TimePoint now = SteadyNow();
    turn_actions_.Append(core_.on_tick(now));
    // Everything the turn produced goes out together: the requests for the
    // primary as one message (socket_support.h, kMaxFramesPerMessage).
    CarryOut(std::exchange(turn_actions_, {}), now);
    if (metrics_ != nullptr && now >= next_metrics_) {
      requests_.Forget(MonotonicNow());
      metrics_->Publish(BrokerMetricsText(core_, view_, requests_, now));
      next_metrics_ = now + std::chrono::duration_cast<Millis>(metrics::MetricsServerDefaults::kPublishInterval);
    }
    return !exiting_;
  }

  const BrokerStats& stats() const { return core_.stats(); }

 private:
  template <class Handle>
  void Drain(zmq::socket_t& socket, Handle&& handle) {
    std::vector<zmq::message_t> parts;
    for (int i = 0; i < BrokerShellDefaults::kMaxFramesPerSocketPerTurn && !exiting_; ++i) {
      parts.clear();
      if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
      handle(parts, SteadyNow());
    }
  }

  void DrainClients() {
    Drain(sockets_.clients, [&](std::vector<zmq::message_t>& parts, TimePoint now) {
      // A REQ (or DEALER) client: [routing id][empty][request]; a pipelined
      // client's request part may be a bundle of requests (frame_bundle.h).
      if (parts.size() != 3 || parts[1].size() != 0) {
        if (WorthLogging(++bad_client_envelopes_)) {
          spdlog::warn("dropped a client message of {} parts without the [id][empty][request] envelope ({} so far)",
                       parts.size(), bad_client_envelopes_);
        }
        return;
      }
      std::string address(View(parts[0]));
      const int fd = parts[2].get(ZMQ_SRCFD);  // -1 for transports without one (inproc)
      if (fd >= 0) connections_.OnMessage(fd, address);
      Result<std::vector<std::string_view>> frames = FramesIn(View(parts[2]));
      if (!frames.ok()) {
        if (WorthLogging(++bad_client_envelopes_)) {
          spdlog::warn("dropped a client message whose bundle is broken ({} so far): {}", bad_client_envelopes_,
                       frames.error().message);
        }
        return;
      }
      if (IsBundle(View(parts[2]))) NoteBundlingClient(address);
      for (std::string_view frame : frames.value()) HandleClientFrame(address, frame, now);
    });
  }

  // One look at the request (its id and op), for STATUS and for the metrics;
  // the rest goes to the primary unread.
  void HandleClientFrame(const std::string& address, std::string_view frame, TimePoint now) {
    Result<FrameSummary> request = PeekRequest(frame);
    if (request.ok() && request.value().op_name == kStatusOpName) {
      AnswerStatus(address, frame, now);
      return;
    }
    if (metrics_ != nullptr && request.ok()) {
      requests_.Started(TimingKey(address, request.value().id), request.value().op_name, MonotonicNow());
    }
    turn_actions_.Append(core_.on_client_frame(address, std::string(frame), now));
  }

  // A client that sent a bundle takes its replies bundled too. Plain replies
  // suit every client, so forgetting one (the set is bounded) costs boxes only.
  void NoteBundlingClient(const std::string& address) {
    if (bundling_clients_.size() >= BrokerShellDefaults::kMaxBundlingClients) bundling_clients_.clear();
    bundling_clients_.insert(address);
  }

  static metrics::MonotonicTime MonotonicNow() { return std::chrono::steady_clock::now().time_since_epoch(); }

  // --metrics: requests by op and outcome, and their latency through the broker.
  void TimeReply(const ClientFrame& reply) {
    Result<FrameSummary> summary = PeekReply(reply.frame);
    if (summary.ok()) {
      requests_.Finished(TimingKey(reply.client, summary.value().id), OutcomeOf(summary.value()), MonotonicNow());
    }
  }

  // Monitor events: [uint16 event, uint32 value (the descriptor)][endpoint].
  void DrainClientEvents() {
    std::vector<zmq::message_t> parts;
    while (true) {
      parts.clear();
      if (!zmq::recv_multipart(sockets_.client_monitor, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
      if (parts.empty() || parts[0].size() < 6) continue;
      uint16_t event = 0;
      uint32_t fd = 0;
      std::memcpy(&event, parts[0].data(), sizeof event);
      std::memcpy(&fd, parts[0].data<char>() + sizeof event, sizeof fd);
      if (event == ZMQ_EVENT_ACCEPTED) {
        connections_.OnAccepted(static_cast<int>(fd));
      } else if (event == ZMQ_EVENT_DISCONNECTED) {
        if (auto address = connections_.OnDisconnected(static_cast<int>(fd))) {
          spdlog::debug("a client disconnected; its slot is free");
          bundling_clients_.erase(*address);
          turn_actions_.Append(core_.on_client_left(*address, SteadyNow()));
        }
      }
    }
  }

  void AnswerStatus(const std::string& address, std::string_view frame, TimePoint now) {
    Result<Request> request = DecodeRequest(frame);
    if (!request.ok()) return;  // PeekOp read it, so it decodes; nothing to answer otherwise
    Reply status = view_.StatusReply(request.value(), core_, now);
    status.pairs.push_back(SecurityStatusRow(security_, options_.clients_open));
    const std::string reply = EncodeReply(status);
    SendParts(sockets_.clients, {address, "", reply});
  }

  // A node DEALER's message: [routing id][frame]..., each part a frame or a
  // bundle of frames (schema/frame_bundle.h).
  void DrainNodes() {
    Drain(sockets_.nodes, [&](std::vector<zmq::message_t>& parts, TimePoint now) {
      if (parts.size() < 2) {
        IllFormedNodeFrame(Error{ErrorKind::kMalformedRequest,
                                 std::to_string(parts.size()) + " parts where [routing id][frame]... was expected"});
        return;
      }
      for (size_t i = 1; i < parts.size() && !exiting_; ++i) {
        Result<std::vector<std::string_view>> frames = FramesIn(View(parts[i]));
        if (!frames.ok()) {
          IllFormedNodeFrame(frames.error());
          continue;
        }
        for (std::string_view frame : frames.value()) {
          if (exiting_) break;
          HandleNodeFrame(View(parts[0]), frame, now);
        }
      }
    });
  }

  void IllFormedNodeFrame(const Error& error) {
    core_.on_ill_formed_node_frame();
    const uint64_t count = core_.stats().node_frames_ill_formed;
    if (WorthLogging(count)) spdlog::warn("ill-formed frame on the node endpoint ({} so far): {}", count, error.message);
  }

  void HandleNodeFrame(std::string_view routing_id, std::string_view frame, TimePoint now) {
    Result<NodeToBroker> message = DecodeNodeToBroker(frame);
    if (!message.ok()) {
      IllFormedNodeFrame(message.error());
      return;
    }
    const NodeId sender = SenderOf(message.value());
    auto [route, inserted] = node_routes_.try_emplace(sender, routing_id);
    if (!inserted && route->second != routing_id) {
      spdlog::info("node {} reconnected", sender);
      route->second = std::string(routing_id);
    }
    if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("from node {}: {}", sender, Describe(message.value()));
    view_.Heard(message.value());
    turn_actions_.Append(core_.on_node_message(message.value(), now));
  }

  // A SHUTDOWN is answered when the handshake ends; anything else at once
  // (BrokerCore::on_shutdown_frame). Its actions join the turn's, after the
  // requests already taken: those reach the primary before the command.
  void DrainShutdown() {
    Drain(sockets_.shutdown, [&](std::vector<zmq::message_t>& parts, TimePoint now) {
      if (parts.size() != 3 || parts[1].size() != 0) {
        spdlog::warn("dropped a shutdown-endpoint message of {} parts without the [id][empty][request] envelope",
                     parts.size());
        return;
      }
      turn_actions_.Append(core_.on_shutdown_frame(std::string(View(parts[0])), std::string(View(parts[2])), now));
    });
  }

  void CarryOut(BrokerActions&& actions, TimePoint now) {
    for (const BrokerEvent& event : actions.events) {
      const spdlog::level::level_enum level = LogLevelOf(event.kind);
      if (level != spdlog::level::debug) view_.Record(event, now);
      spdlog::log(level, "{}", event.text);
    }
    SendToNodes(actions.to_nodes);
    for (const ClientFrame& reply : actions.to_clients) {
      if (metrics_ != nullptr) TimeReply(reply);
      if (bundling_clients_.count(reply.client) != 0) {
        replies_to_bundle_[reply.client].push_back(reply.frame);
        continue;
      }
      SendReply(reply.client, reply.frame, now);
    }
    // A client's replies of this turn, in order, as one bundle: one CURVE box.
    for (auto& [client, frames] : replies_to_bundle_) {
      for (const std::string& part : BundleFrames(frames)) SendReply(client, part, now);
    }
    replies_to_bundle_.clear();
    for (const ClientFrame& answer : actions.to_operators) {
      if (SendParts(sockets_.shutdown, {answer.client, "", answer.frame}) != SendOutcome::kSent) {
        spdlog::warn("could not answer an operator on the shutdown endpoint (it has gone?)");
      }
    }
    if (actions.exit) exiting_ = true;
  }

  void SendReply(const std::string& client, std::string_view frame, TimePoint now) {
    switch (SendParts(sockets_.clients, {client, "", frame})) {
      case SendOutcome::kSent:
        break;
      case SendOutcome::kNoRoute:  // the client has gone: its slot is free
        spdlog::debug("a client left before its reply; freeing its slot");
        bundling_clients_.erase(client);
        core_.on_client_left(client, now);
        break;
      case SendOutcome::kQueueFull:
        if (WorthLogging(++client_sends_dropped_)) {
          spdlog::warn("a client's queue is full; dropped a reply ({} so far)", client_sends_dropped_);
        }
        break;
    }
  }

  // Trouble is a warning, routine an info line (and a status event), detail debug.
  static spdlog::level::level_enum LogLevelOf(BrokerEventKind kind) {
    switch (kind) {
      case BrokerEventKind::kNodeLost:
      case BrokerEventKind::kPrimaryLost:
      case BrokerEventKind::kPrimaryRefused:
      case BrokerEventKind::kServiceWaiting:
      case BrokerEventKind::kShutdownFrameRefused:
      case BrokerEventKind::kShutdownTimedOut:
        return spdlog::level::warn;
      case BrokerEventKind::kNodeSeen:
      case BrokerEventKind::kPrimaryAccepted:
      case BrokerEventKind::kServiceBack:
      case BrokerEventKind::kPreVote:
      case BrokerEventKind::kClientRefused:
      case BrokerEventKind::kShutdownRequested:
      case BrokerEventKind::kShutdownRepeated:
      case BrokerEventKind::kShutdownRelayed:
      case BrokerEventKind::kShutdownConfirmed:
        return spdlog::level::info;
      case BrokerEventKind::kNodeStopped:
      case BrokerEventKind::kShutdownResent:
      case BrokerEventKind::kShutdownIgnored:
        return spdlog::level::debug;
    }
    return spdlog::level::info;
  }

  // Consecutive sends to the same node leave as one message.
  void SendToNodes(const std::vector<NodeSend>& sends) {
    for (size_t first = 0; first < sends.size();) {
      const NodeId to = sends[first].to;
      size_t end = first;
      frames_.clear();
      for (; end < sends.size() && sends[end].to == to; ++end) {
        if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("to node {}: {}", to, Describe(sends[end].message));
        frames_.push_back(EncodeBrokerToNode(sends[end].message));
      }
      SendFramesToNode(to, sends[first].message, end - first);
      first = end;
    }
  }

  // `first` is the first of the `count` messages in frames_, for the log.
  void SendFramesToNode(NodeId to, const BrokerToNode& first, size_t count) {
    auto route = node_routes_.find(to);
    const auto what = [&] { return Describe(first) + (count > 1 ? " and " + std::to_string(count - 1) + " more" : ""); };
    if (route == node_routes_.end()) {
      spdlog::debug("no connection from node {} yet; dropped {}", to, what());
      return;
    }
    // One CURVE box per bundle rather than per request (frame_bundle.h).
    const SendOutcome outcome = SendFrames(sockets_.nodes, route->second, BundleFrames(frames_));
    if (outcome != SendOutcome::kSent && WorthLogging(++node_sends_dropped_)) {
      spdlog::warn("could not send to node {} ({}); dropped {} ({} so far)", to,
                   outcome == SendOutcome::kNoRoute ? "disconnected" : "queue full", what(), node_sends_dropped_);
    }
  }

  const BrokerShellOptions& options_;
  const security::ProcessSecurity& security_;
  BrokerSockets sockets_;
  BrokerCore core_;
  ClusterView view_;
  metrics::MetricsServer* metrics_;  // null: no --metrics
  TimePoint next_metrics_{0};
  metrics::RequestMetrics requests_;  // with --metrics
  ClientConnections connections_;
  std::map<NodeId, std::string> node_routes_;  // node id -> its DEALER's routing id, as last heard
  BrokerActions turn_actions_;      // what this turn's frames asked for, carried out at its end
  std::vector<std::string> frames_;  // encoded frames of the message to a node being built
  std::set<std::string> bundling_clients_;  // clients that sent a bundle: their replies go bundled
  std::map<std::string, std::vector<std::string>> replies_to_bundle_;  // this turn's, by client
  bool exiting_ = false;
  uint64_t bad_client_envelopes_ = 0;
  uint64_t client_sends_dropped_ = 0;
  uint64_t node_sends_dropped_ = 0;
};

// SIGHUP: read the allow-lists again (new handshakes see them; admitted peers stay).
void ReloadKeys(const security::ProcessSecurity& security) {
  if (security.zap() == nullptr) {
    spdlog::info("SIGHUP: no keys to reload (--insecure)");
    return;
  }
  Status reloaded = security.zap()->Reload();
  if (reloaded.ok()) spdlog::info("SIGHUP: allow-lists reloaded");
  else spdlog::error("SIGHUP: allow-lists not reloaded, the old ones stay: {}", reloaded.error().message);
}

}  // namespace

int RunBroker(const BrokerShellOptions& options, const volatile std::sig_atomic_t* stop) {
  zmq::context_t context(1);
  // Declared after the context and before the sockets: the ZAP handler outlives what it guards.
  auto link_security = security::ProcessSecurity::Open(
      context, options.security, {security::KeyRole::kBroker, options.broker_key_id}, /*serves=*/true);
  if (!link_security.ok()) {
    spdlog::error("{}", link_security.error().message);
    return kBrokerExitNoKeys;
  }
  spdlog::info("broker security: {}", link_security.value()->Describe());
  std::optional<BrokerSockets> sockets = OpenBrokerSockets(context, *link_security.value(), options);
  if (!sockets) return kBrokerExitFailure;
  std::unique_ptr<metrics::MetricsServer> metrics;
  if (!options.metrics_endpoint.empty()) {
    Result<std::unique_ptr<metrics::MetricsServer>> started = metrics::MetricsServer::Start(options.metrics_endpoint);
    if (!started.ok()) {
      spdlog::error("{}", started.error().message);
      return kBrokerExitFailure;
    }
    metrics = std::move(started).value();
    spdlog::info("metrics on http://{}/metrics", metrics->endpoint());
  }
  spdlog::info("broker up: at most {} clients, hold {} ms, primary liveness {} ms, client idle {} ms",
               options.core.max_clients, options.core.hold_time.count(), options.core.primary_liveness.count(),
               options.core.client_idle_timeout.count());
  {
    Broker broker(options, *link_security.value(), std::move(*sockets), SteadyNow(), metrics.get());
    std::sig_atomic_t reloads_seen = options.reload_keys != nullptr ? *options.reload_keys : 0;
    while (*stop == 0) {
      if (options.reload_keys != nullptr && *options.reload_keys != reloads_seen) {
        reloads_seen = *options.reload_keys;
        ReloadKeys(*link_security.value());
      }
      try {
        if (!broker.Turn()) break;
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;  // a signal: the flag is checked at the top
        spdlog::error("broker loop: socket failure: {}; exiting", e.what());
        return kBrokerExitFailure;
      }
    }
    const BrokerStats& s = broker.stats();
    spdlog::info("broker stopping ({}): {} requests forwarded, {} replies relayed, {} clients refused, "
                 "{} unavailable, {} ill-formed replies, {} ill-formed node frames; flushing for at most {} ms",
                 *stop != 0 ? "signal" : "shutdown", s.requests_forwarded, s.replies_relayed,
                 s.clients_refused, s.requests_unavailable, s.replies_ill_formed, s.node_frames_ill_formed,
                 options.exit_linger.count());
  }  // sockets close here, each flushing for at most exit_linger
  link_security.value().reset();  // the ZAP handler's socket, before the context waits for every socket
  context.close();
  return kBrokerExitOk;
}

}  // namespace ts::cluster
