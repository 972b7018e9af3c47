// Private to the simulation: the World that sim_world.cpp (network, event
// handlers), sim_faults.cpp (faults, invariants) and sim_world_shutdown.cpp
// (the closing shutdown and its checks) implement together.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "brokers/broker_core.h"
#include "nodes/cluster/node_core.h"
#include "nodes/log/memory_storage.h"
#include "nodes/node_log.h"
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_random.h"
#include "tests/sim/sim_world.h"

namespace ts::sim::detail {

using namespace ts::cluster;

constexpr int kBrokerEndpoint = 0;         // link endpoints: 0 is broker 1, n is node n,
constexpr int kBroker2Endpoint = -2;       // and -2 is broker 2 (the second of the pair)
constexpr int64_t kNodeTickMs = 10;        // the shells' poll timeout
constexpr int64_t kBrokerTickMs = 10;
constexpr int64_t kClientTimeoutMs = 600;  // then the client retries the same request id
constexpr int64_t kLivenessWindowMs = 150;  // nodes' liveness window, also their takeover grace
constexpr int64_t kClientStopAfterFaultsMs = 1500;
constexpr int64_t kHealLimitMs = 30'000;   // after faults stop, the cluster must converge within this
constexpr int64_t kConvergeCheckMs = 50;
constexpr int64_t kBrokerLivenessMs = 150;   // the broker's primary_liveness
constexpr int64_t kShutdownResendMs = 100;   // the broker's shutdown resend interval
constexpr int64_t kShutdownGraceMs = 2'000;  // ... and its grace
constexpr int64_t kShutdownSettleMs = 10;    // after the broker exits, until the checks

struct ToNode { NodeId to; std::variant<PeerMessage, BrokerToNode> message; BrokerId from_broker = 1; };
struct OperatorFrame { ClientAddress sender; std::string frame; };  // on the shutdown endpoint
struct ToBroker {
  std::variant<NodeToBroker, std::pair<ClientAddress, std::string>, OperatorFrame> message;
  BrokerId broker = 1;
};
struct ToClient { uint32_t client; ClientAddress address; std::string frame; };
struct NodeTick { NodeId node; uint64_t incarnation; };
struct BrokerTick { BrokerId broker = 1; };
struct ClientWake { uint32_t client; uint64_t generation; };
struct FaultTick {};
struct Restart { NodeId node; };
struct RestartBroker { BrokerId broker = 1; };  // broker 2's first start is its joining
struct DiskSynced { NodeId node; uint64_t incarnation; };  // a node's fdatasync returns  // a crashed broker comes back, its memory lost
struct Heal { std::vector<std::pair<int, int>> links; };
struct ConvergeCheck {};
struct ShutdownCheck {};     // the broker exited a moment ago: check how the shutdown ended
struct ShutdownDeadline {};  // the broker must have exited by now
using Event = std::variant<ToNode, ToBroker, ToClient, NodeTick, BrokerTick, ClientWake, FaultTick,
                           Restart, RestartBroker, DiskSynced, Heal, ConvergeCheck, ShutdownCheck, ShutdownDeadline>;

struct SimNode {
  std::unique_ptr<NodeCore> core;  // null while crashed
  // Its disk survives a crash minus what was not synced (MemoryStorage::Crash).
  std::unique_ptr<wal::MemoryStorage> disk = std::make_unique<wal::MemoryStorage>();
  std::unique_ptr<NodeLog> log;    // null while crashed
  bool sync_pending = false;       // a DiskSynced is on its way
  LogPosition on_disk;             // what the last sync made durable: no ack may claim more
  uint64_t incarnation = 0;
  bool restart_scheduled = false;
};

// The closing shutdown (sim_world_shutdown.cpp): what the sim saw, kept apart
// from what the broker's core decided, so the two can be compared.
struct ShutdownRecord {
  enum class Mode { kClean, kLossy, kNodeCutFromPeers };
  bool begun = false;              // the cluster converged; the operator's SHUTDOWN is on its way
  Mode mode = Mode::kClean;
  // The broker the operator's SHUTDOWN goes through. Broker 2: broker 1 has
  // crashed (and stays down), so nothing of the shutdown can lean on it.
  BrokerId via = 1;
  int64_t began_at = -1;           // when the broker got the first SHUTDOWN
  bool broker_exited = false;
  int64_t exited_at = 0;
  std::set<ClientAddress> delivered;                    // operators whose SHUTDOWN reached the broker
  std::map<ClientAddress, std::vector<Reply>> answers;  // what the broker answered each operator
  bool late_request_delivered = false;                  // a client request after the SHUTDOWN
  std::vector<Reply> late_replies;
  std::set<NodeId> saved;                               // nodes that asked to save and exit
  // Per (broker, node): when that broker last got a message from the node.
  std::map<std::pair<BrokerId, NodeId>, int64_t> last_heard_by_broker;
};

struct ClientState {
  std::unique_ptr<SimClient> model;
  ClientAddress address;
  uint64_t generation = 0;  // only the latest wake-up counts
  uint32_t reconnects = 0;
  BrokerId broker = 1;  // the broker its socket talks to; a retry may move to the other
};

class World {
 public:
  explicit World(const SimOptions& options);
  SimResult Run();

 private:
  // Scheduling and the network.
  void At(int64_t time, Event event) { queue_.emplace(std::make_pair(time, order_++), std::move(event)); }
  bool Cut(int a, int b) const;
  int64_t Delay();
  template <class Make>
  void Transmit(int from, int to, Make make);
  void SendNodeActions(NodeId from, NodeActions actions);
  void EndCycle(NodeId id);  // on_tick, then the cycle's writes go to its disk
  void SendBrokerActions(BrokerActions actions, BrokerId from = 1);
  static int BrokerEndpoint(BrokerId b) { return b == 1 ? kBrokerEndpoint : kBroker2Endpoint; }

  // Event handlers.
  void Handle(ToNode& e);
  void Handle(ToBroker& e);
  void Handle(ToClient& e);
  void Handle(NodeTick& e);
  void Handle(BrokerTick& e);
  void Handle(ClientWake& e);
  void Handle(FaultTick& e);
  void Handle(Restart& e);
  void Handle(RestartBroker& e);
  void Handle(DiskSynced& e);
  void Handle(Heal& e);
  void Handle(ConvergeCheck& e);
  void Handle(ShutdownCheck& e);
  void Handle(ShutdownDeadline& e);

  // Clients.
  void SendCurrent(uint32_t index, bool is_retry);
  void Wake(uint32_t index, int64_t after_ms);

  // Faults and checks.
  void StartNode(NodeId id);
  void Crash(NodeId id);
  void CrashEveryNode(bool and_broker);  // a power cut of the whole room
  std::unique_ptr<BrokerCore> NewBroker() const;
  bool MayCrash(NodeId id) const;
  void Partition();
  void StopFaults();
  void CrashBroker(BrokerId b);
  bool Converged(std::string* why) const;
  void CheckReplyStamps(NodeId from, const NodeActions& actions);
  void CheckDurableClaims(NodeId from, const NodeActions& actions);
  void CheckPrimaryHoldsNothingBack(NodeId id);
  void FinalChecks();
  void Fail(const std::string& why);

  // The closing shutdown.
  void BeginShutdown();
  void HandleOperatorFrame(OperatorFrame& frame);
  void CheckBrokerActionsWhileStopping(const BrokerActions& actions);
  void CheckShutdownOutcome();
  BrokerCore& ShutdownBroker() { return shutdown_.via == 2 ? *broker2_ : *broker_; }
  bool lossy() const { return faults_on_ || shutdown_.mode == ShutdownRecord::Mode::kLossy; }
  void Trace(const std::string& line) const;

  SimOptions options_;
  SimRandom random_;
  int64_t now_ = 0;
  uint64_t order_ = 0;
  std::map<std::pair<int64_t, uint64_t>, Event> queue_;
  std::set<NodeId> dirty_;

  uint32_t node_count_;
  size_t min_acks_;
  std::map<NodeId, SimNode> nodes_;
  std::unique_ptr<BrokerCore> broker_;
  bool broker_down_ = false;  // crashed, restarting
  // Broker 2: down until it joins (a random time during the faults), then
  // crashes and restarts like broker 1; it stops when the closing shutdown begins.
  std::unique_ptr<BrokerCore> broker2_;
  bool broker2_down_ = true;
  bool broker2_joined_ = false;
  bool broker2_stopped_ = false;
  std::vector<ClientState> clients_;
  std::map<std::pair<int, int>, int> cuts_;  // (low, high) -> how many partitions cut it

  bool storm_;  // a quarter of the seeds: more loss, faults twice as often
  int64_t fault_end_;
  bool faults_on_ = true;
  uint64_t drop_per_million_;
  uint64_t duplicate_per_million_;
  bool done_ = false;

  // term -> the node a broker accepted, or that acted as primary, over every
  // broker incarnation and both brokers: a broker that lost its memory, or
  // the other broker, must not accept a second node for a term either (the
  // majority proof rules it out).
  std::map<uint64_t, NodeId> broker_terms_;
  std::map<uint64_t, NodeId> node_terms_;
  uint64_t broker_incarnation_ = 1;
  std::map<NodeId, int64_t> became_primary_at_;  // when each node last became primary
  ShutdownRecord shutdown_;
  SimResult result_;
};

}  // namespace ts::sim::detail
