#include "nodes/node_shell.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <map>
#include <utility>
#include <variant>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "schema/cluster_codec.h"
#include "schema/frame_bundle.h"
#include "nodes/cluster/node_core.h"
#include "nodes/log/posix_storage.h"
#include "nodes/space/persistence.h"
#include "common/socket_support.h"
#include "nodes/node_sockets.h"
#include "nodes/node_metrics.h"
#include "common/metrics/metrics_server.h"
#include "common/metrics/process_memory.h"

namespace ts::cluster {
namespace {

spdlog::level::level_enum LevelOf(NodeEventKind kind) {
  switch (kind) {
    case NodeEventKind::kPeerFailed:
    case NodeEventKind::kPrimaryLost:
    case NodeEventKind::kSteppedDown:
    case NodeEventKind::kBrokerLost:
    case NodeEventKind::kShutdown:
      return spdlog::level::warn;
    default:
      return spdlog::level::info;
  }
}

// ---- the loop ---------------------------------------------------------------

class Node {
 public:
  Node(const NodeShellOptions& options, NodeSockets sockets, NodeLog* log, TimePoint now,
       const security::ProcessSecurity& security, metrics::MetricsServer* metrics_server)
      : options_(options), sockets_(std::move(sockets)), log_(log), core_(options.core, now), started_(now),
        security_(security), metrics_server_(metrics_server) {
    if (metrics_server_ != nullptr) metrics_.emplace();
    for (size_t i = 0; i < sockets_.peers.size(); ++i) peer_index_[sockets_.peers[i].id] = i;
    const Millis quarter = options.core.heartbeat_interval / 4;
    poll_wait_ = std::clamp(quarter, Millis(1), NodeShellDefaults::kMaxPollWait);
  }

  void Preload(const TupleSpace& space, SnapshotPosition at) {
    for (const auto& [key, value] : space.pairs()) core_.Preload(std::string(key), std::string(value));
    core_.SetLoadedPosition(LogPosition{at.term, at.seq});
  }

  void Restore() { log_->Restore(core_); }

  // One loop turn; false once the core said save_and_exit, or the log failed
  // (then failed() is set).
  bool Turn() {
    std::vector<zmq::pollitem_t> items = {{sockets_.bus_in.handle(), 0, ZMQ_POLLIN, 0},
                                          {sockets_.transfer.handle(), 0, ZMQ_POLLIN, 0}};
    for (zmq::socket_t& broker : sockets_.brokers) items.push_back({broker.handle(), 0, ZMQ_POLLIN, 0});
    for (PeerLink& peer : sockets_.peers) items.push_back({peer.transfer.handle(), 0, ZMQ_POLLIN, 0});
    // A finished fdatasync (node_log.h) ends the wait: its acks and replies are due.
    if (log_ != nullptr && log_->wake_fd() >= 0) items.push_back({nullptr, log_->wake_fd(), ZMQ_POLLIN, 0});
    // A snapshot being sent in slices: the next slice is due now.
    zmq::poll(items, core_.sending_snapshot() ? Millis(0) : poll_wait_);

    NodeActions actions;
    if (items[0].revents & ZMQ_POLLIN) DrainPeerFrames(sockets_.bus_in, false, actions);
    if (items[1].revents & ZMQ_POLLIN) DrainPeerFrames(sockets_.transfer, true, actions);
    const size_t first_peer = 2 + sockets_.brokers.size();
    for (size_t k = 0; k < sockets_.brokers.size(); ++k) {
      if (items[2 + k].revents & ZMQ_POLLIN) DrainBroker(k, actions);
    }
    for (size_t i = 0; i < sockets_.peers.size(); ++i) {
      if (items[first_peer + i].revents & ZMQ_POLLIN) DrainPeerFrames(sockets_.peers[i].transfer, false, actions);
    }
    actions.Append(core_.on_tick(SteadyNow()));
    // Nothing in these claims more than is on disk (node_core.h "Durability"),
    // so they need not wait for this turn's fsync: batches reach the backups
    // while the primary syncs.
    CarryOut(actions);
    if (log_ != nullptr) {
      Result<NodeActions> released = log_->Persist(core_, SteadyNow());
      if (!released.ok()) {
        spdlog::error("the log in {} failed: {}", log_->dir(), released.error().message);
        failed_ = true;
        return false;
      }
      CarryOut(released.value());
      if (released.value().save_and_exit) return false;
    }
    UpdateFacts();
    return !actions.save_and_exit;
  }

  const NodeCore& core() const { return core_; }
  bool failed() const { return failed_; }

 private:
  // Bus and DEALER frames are [frame]; the transfer ROUTER's are [routing id][frame].
  void DrainPeerFrames(zmq::socket_t& socket, bool routed, NodeActions& actions) {
    std::vector<zmq::message_t> parts;
    for (int i = 0; i < NodeShellDefaults::kMaxFramesPerSocketPerTurn; ++i) {
      parts.clear();
      if (!zmq::recv_multipart(socket, std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
      const size_t expected = routed ? 2 : 1;
      if (parts.size() != expected) {
        Junk("a peer message of " + std::to_string(parts.size()) + " parts");
        continue;
      }
      Result<PeerMessage> message = DecodePeerMessage(View(parts.back()));
      if (!message.ok()) {
        Junk(message.error().message);
        continue;
      }
      const NodeId from = std::visit([](const auto& m) { return m.from; }, message.value());
      if (routed) transfer_routes_[from] = std::string(View(parts[0]));
      if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("in: {}", Describe(message.value()));
      actions.Append(core_.on_message(message.value(), SteadyNow()));
    }
  }

  // A message from the broker carries a frame, or a bundle of frames
  // (schema/frame_bundle.h), per part (socket_support.h).
  void DrainBroker(size_t index, NodeActions& actions) {
    const BrokerId from = kFirstBroker + static_cast<BrokerId>(index);
    std::vector<zmq::message_t> parts;
    for (int i = 0; i < NodeShellDefaults::kMaxFramesPerSocketPerTurn; ++i) {
      parts.clear();
      if (!zmq::recv_multipart(sockets_.brokers[index], std::back_inserter(parts), zmq::recv_flags::dontwait)) return;
      for (const zmq::message_t& part : parts) {
        Result<std::vector<std::string_view>> frames = FramesIn(View(part));
        if (!frames.ok()) {
          Junk(frames.error().message);
          continue;
        }
        for (std::string_view frame : frames.value()) HandleBrokerFrame(from, frame, actions);
      }
    }
  }

  void HandleBrokerFrame(BrokerId from, std::string_view frame, NodeActions& actions) {
    Result<BrokerToNode> message = DecodeBrokerToNode(frame);
    if (!message.ok()) {
      Junk(message.error().message);
      return;
    }
    if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("in from broker {}: {}", from, Describe(message.value()));
    if (metrics_) metrics_->OnBrokerMessage(message.value(), MonotonicNow());
    actions.Append(core_.on_message(from, message.value(), SteadyNow()));
  }

  static metrics::MonotonicTime MonotonicNow() { return std::chrono::steady_clock::now().time_since_epoch(); }

  // Status facts for the core's heartbeats, and the metrics text.
  void UpdateFacts() {
    const TimePoint now = SteadyNow();
    if (now < next_facts_) return;
    next_facts_ = now + NodeShellDefaults::kFactsInterval;
    const security::ZapHandler* zap = security_.zap();
    const uint64_t resident = metrics::ResidentMemoryBytes();
    core_.SetProcessFacts({resident, zap != nullptr ? zap->refused_total() : 0});
    if (!metrics_) return;
    NodeShellFacts facts;
    if (log_ != nullptr) facts.log = &log_->writer().stats();
    if (zap != nullptr) facts.zap_refusals = zap->RefusalsByReason();
    facts.resident_bytes = resident;
    facts.frames_ill_formed = junk_frames_;
    facts.uptime_seconds = static_cast<double>((now - started_).count()) / 1000.0;
    metrics_server_->Publish(metrics_->Text(core_, facts, now, MonotonicNow()));
  }

  void Junk(const std::string& why) {
    if (WorthLogging(++junk_frames_)) spdlog::warn("dropped an ill-formed frame ({} so far): {}", junk_frames_, why);
  }

  void CarryOut(const NodeActions& actions) {
    if (metrics_) metrics_->OnActions(actions, MonotonicNow());
    for (const NodeEvent& event : actions.events) {
      spdlog::log(LevelOf(event.kind), "{}: {}", NodeEventKindName(event.kind), event.text);
    }
    for (const PeerMessage& message : actions.to_bus) {
      Trace("bus", message);
      if (SendParts(sockets_.bus_out, {EncodePeerMessage(message)}) != SendOutcome::kSent) Dropped("bus", message);
    }
    for (const PeerSend& send : actions.to_peer) SendToPeer(send);
    // Everything for a broker this turn leaves as one message: a reply to
    // the broker it came through, the rest to every broker (node_core.h).
    broker_frames_.assign(sockets_.brokers.size(), {});
    for (const NodeToBroker& message : actions.to_broker) {
      if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("to broker: {}", Describe(message));
      std::string frame = EncodeNodeToBroker(message);
      if (const auto* reply = std::get_if<ClientReplyFrame>(&message)) {
        const size_t index = reply->client.via - kFirstBroker;
        if (index < broker_frames_.size()) broker_frames_[index].push_back(std::move(frame));
        continue;
      }
      for (auto& frames : broker_frames_) frames.push_back(frame);
    }
    for (size_t k = 0; k < broker_frames_.size(); ++k) {
      // One CURVE box per bundle rather than per reply (frame_bundle.h).
      if (!broker_frames_[k].empty() &&
          SendFrames(sockets_.brokers[k], {}, BundleFrames(broker_frames_[k])) != SendOutcome::kSent &&
          WorthLogging(++broker_sends_dropped_)) {
        spdlog::debug("link to broker {} down or full; dropped a message of {} frames ({} so far)", k + 1,
                      broker_frames_[k].size(), broker_sends_dropped_);
      }
    }
  }

  // A request goes out on the DEALER toward the peer; an answer goes back on
  // the ROUTER to the routing id the request came from (or, if none is
  // known, on the DEALER toward the peer, whose ROUTER takes any peer frame).
  void SendToPeer(const PeerSend& send) {
    Trace("node " + std::to_string(send.to), send.message);
    const std::string frame = EncodePeerMessage(send.message);
    const bool is_request = std::holds_alternative<StateTransferRequest>(send.message);
    if (!is_request) {
      if (auto route = transfer_routes_.find(send.to); route != transfer_routes_.end()) {
        if (SendParts(sockets_.transfer, {route->second, frame}) != SendOutcome::kSent) {
          Dropped("node " + std::to_string(send.to), send.message);
        }
        return;
      }
    }
    auto peer = peer_index_.find(send.to);
    if (peer == peer_index_.end()) {
      spdlog::warn("no link to node {} (not a --peer); dropped {}", send.to, Describe(send.message));
      return;
    }
    if (SendParts(sockets_.peers[peer->second].transfer, {frame}) != SendOutcome::kSent) {
      Dropped("node " + std::to_string(send.to), send.message);
    }
  }

  void Trace(const std::string& where, const PeerMessage& message) const {
    if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("to {}: {}", where, Describe(message));
  }

  void Dropped(const std::string& where, const PeerMessage& message) {
    if (WorthLogging(++peer_sends_dropped_)) {
      spdlog::debug("link to {} down or full; dropped {} ({} so far)", where, Describe(message), peer_sends_dropped_);
    }
  }

  const NodeShellOptions& options_;
  NodeSockets sockets_;
  NodeLog* log_;  // null without --data-dir
  bool failed_ = false;
  NodeCore core_;
  Millis poll_wait_{1};
  std::map<NodeId, size_t> peer_index_;                // node id -> sockets_.peers index
  std::map<NodeId, std::string> transfer_routes_;     // node id -> routing id of its DEALER at our ROUTER
  std::vector<std::vector<std::string>> broker_frames_;  // this turn's frames for each broker, encoded
  uint64_t junk_frames_ = 0;
  uint64_t broker_sends_dropped_ = 0;
  uint64_t peer_sends_dropped_ = 0;
  TimePoint started_;
  TimePoint next_facts_{0};
  const security::ProcessSecurity& security_;
  metrics::MetricsServer* metrics_server_;  // null: no --metrics
  std::optional<NodeMetrics> metrics_;
};

std::string JoinEndpoints(const std::vector<std::string>& endpoints) {
  std::string joined;
  for (const std::string& endpoint : endpoints) joined += (joined.empty() ? "" : ",") + endpoint;
  return joined;
}

int Save(const NodeCore& core, const NodeShellOptions& options) {
  if (!options.save_path) {
    spdlog::info("no --save file: {} pairs not saved", core.space().size());
    return kNodeExitOk;
  }
  Status saved = SaveSpace(core.space(), *options.save_path, SnapshotPosition{core.last().term, core.last().seq});
  if (!saved.ok()) {
    spdlog::error("could not save to {}: {}", *options.save_path, saved.error().message);
    return kNodeExitFailure;
  }
  spdlog::info("saved {} pairs at {} to {}", core.space().size(), Describe(core.last()), *options.save_path);
  return kNodeExitOk;
}

}  // namespace

int RunNode(const NodeShellOptions& options, const volatile std::sig_atomic_t* stop) {
  wal::PosixStorage storage;
  std::unique_ptr<NodeLog> log;
  if (options.data_dir) {
    Result<std::unique_ptr<NodeLog>> opened = NodeLog::Open(storage, *options.data_dir, options.log);
    if (!opened.ok()) {
      std::cerr << "tsnode: cannot recover the log in " << *options.data_dir << ": " << opened.error().message << "\n";
      return kNodeExitBadLog;
    }
    log = std::move(opened).value();
    const wal::RecoveredLog& recovered = log->recovered();
    if (recovered.repair) {
      spdlog::warn("{}: torn tail cut: {} record(s), {} bytes dropped from {} at offset {} ({})", *options.data_dir,
                   recovered.repair->records_dropped, recovered.repair->bytes_dropped, recovered.repair->path,
                   recovered.repair->offset, recovered.repair->damage);
    }
    spdlog::info("{}: {} (sync {})", *options.data_dir, recovered.Describe(),
                 options.log.sync == SyncMode::kAlways ? "always" : "none");
  }
  const bool import = options.load_path && (!log || log->empty());
  if (options.load_path && !import) {
    spdlog::warn("--load {} ignored: the data directory {} holds the node's own history", *options.load_path,
                 *options.data_dir);
  }
  TupleSpace loaded(options.core.space_limits);
  SnapshotPosition loaded_at;
  if (import) {
    Status status = LoadSpace(*options.load_path, &loaded, &loaded_at);
    if (!status.ok()) {
      std::cerr << "tsnode: cannot load " << *options.load_path << ": " << status.error().message << "\n";
      return kNodeExitBadLoad;
    }
    spdlog::info("loaded {} pairs at {} from {}", loaded.size(), Describe(LogPosition{loaded_at.term, loaded_at.seq}),
                 *options.load_path);
  }

  zmq::context_t context(1);
  // Declared after the context and before the sockets: the ZAP handler outlives what it guards.
  auto link_security = security::ProcessSecurity::Open(context, options.security,
                                                  {security::KeyRole::kNode, options.core.id}, /*serves=*/true);
  if (!link_security.ok()) {
    std::cerr << "tsnode: " << link_security.error().message << "\n";
    return kNodeExitNoKeys;
  }
  std::optional<NodeSockets> sockets = OpenNodeSockets(*link_security.value(), options);
  if (!sockets) return kNodeExitFailure;
  // "node N up:" starts the line: tests and operators look for it.
  spdlog::info("node {} up: bus PUB {}, transfer ROUTER {}, broker {}, {}, {} peers, min acks {}{}, heartbeat {} ms x {}",
               options.core.id, options.bus_endpoint, options.transfer_endpoint, JoinEndpoints(options.broker_endpoints),
               link_security.value()->Describe(),
               options.peers.size(), options.core.min_acks, options.core.async_replies ? " (async replies)" : "",
               options.core.heartbeat_interval.count(),
               options.core.liveness_window.count() / std::max<int64_t>(1, options.core.heartbeat_interval.count()));

  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (!options.metrics_endpoint.empty()) {
    Result<std::unique_ptr<metrics::MetricsServer>> started = metrics::MetricsServer::Start(options.metrics_endpoint);
    if (!started.ok()) {
      std::cerr << "tsnode: --metrics: " << started.error().message << "\n";
      return kNodeExitFailure;
    }
    metrics_server = std::move(started).value();
    spdlog::info("metrics on http://{}/metrics", metrics_server->endpoint());
  }

  int exit_code = kNodeExitOk;
  {
    Node node(options, std::move(*sockets), log.get(), SteadyNow(), *link_security.value(), metrics_server.get());
    if (log) node.Restore();
    if (import) node.Preload(loaded, loaded_at);  // with a log: written as its first snapshot
    loaded.Clear();
    bool core_said_exit = false;
    while (*stop == 0 && !core_said_exit) {
      try {
        core_said_exit = !node.Turn();
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;  // a signal: the flag is checked at the top
        spdlog::error("node loop: socket failure: {}; saving and exiting", e.what());
        exit_code = kNodeExitFailure;
        break;
      }
    }
    if (node.failed()) exit_code = kNodeExitFailure;
    if (log) {
      const wal::LogWriter::Stats& stats = log->writer().stats();
      spdlog::info("{}: this run wrote {} records, {} bytes, {} fdatasyncs, {} segments, {} snapshots; log at {}",
                   *options.data_dir, stats.records, stats.bytes, stats.syncs, stats.segments_started,
                   stats.snapshots, Describe(log->writer().last()));
    }
    if (*stop != 0) spdlog::info("stopping on signal {}: save and exit", static_cast<int>(*stop));
    const int saved = Save(node.core(), options);
    if (exit_code == kNodeExitOk) exit_code = saved;
  }  // sockets close here, each flushing for at most exit_linger
  link_security.value().reset();  // the ZAP handler's socket, before the context waits for every socket
  context.close();
  return exit_code;
}

}  // namespace ts::cluster
