// Private to the simulation: the World that sim_world.cpp (network, event
// handlers) and sim_faults.cpp (faults, invariants) implement together.
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
#include "tests/sim/sim_client.h"
#include "tests/sim/sim_random.h"
#include "tests/sim/sim_world.h"

namespace ts::sim::detail {

using namespace ts::cluster;

constexpr int kBrokerEndpoint = 0;         // link endpoints: 0 is the broker, n is node n
constexpr int64_t kNodeTickMs = 10;        // the shells' poll timeout
constexpr int64_t kBrokerTickMs = 10;
constexpr int64_t kClientTimeoutMs = 600;  // then the client retries the same request id
constexpr int64_t kLivenessWindowMs = 150;  // nodes' liveness window, also their takeover grace
constexpr int64_t kClientStopAfterFaultsMs = 1500;
constexpr int64_t kHealLimitMs = 30'000;   // after faults stop, the cluster must converge within this
constexpr int64_t kConvergeCheckMs = 50;

struct ToNode { NodeId to; std::variant<PeerMessage, BrokerToNode> message; };
struct ToBroker { std::variant<NodeToBroker, std::pair<ClientAddress, std::string>> message; };
struct ToClient { uint32_t client; ClientAddress address; std::string frame; };
struct NodeTick { NodeId node; uint64_t incarnation; };
struct BrokerTick {};
struct ClientWake { uint32_t client; uint64_t generation; };
struct FaultTick {};
struct Restart { NodeId node; };
struct Heal { std::vector<std::pair<int, int>> links; };
struct ConvergeCheck {};
using Event = std::variant<ToNode, ToBroker, ToClient, NodeTick, BrokerTick, ClientWake, FaultTick,
                           Restart, Heal, ConvergeCheck>;

struct SimNode {
  std::unique_ptr<NodeCore> core;  // null while crashed
  uint64_t incarnation = 0;
  bool restart_scheduled = false;
};

struct ClientState {
  std::unique_ptr<SimClient> model;
  ClientAddress address;
  uint64_t generation = 0;  // only the latest wake-up counts
  uint32_t reconnects = 0;
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
  void SendBrokerActions(BrokerActions actions);

  // Event handlers.
  void Handle(ToNode& e);
  void Handle(ToBroker& e);
  void Handle(ToClient& e);
  void Handle(NodeTick& e);
  void Handle(BrokerTick& e);
  void Handle(ClientWake& e);
  void Handle(FaultTick& e);
  void Handle(Restart& e);
  void Handle(Heal& e);
  void Handle(ConvergeCheck& e);

  // Clients.
  void SendCurrent(uint32_t index, bool is_retry);
  void Wake(uint32_t index, int64_t after_ms);

  // Faults and checks.
  void StartNode(NodeId id);
  void Crash(NodeId id);
  bool MayCrash(NodeId id) const;
  void Partition();
  void StopFaults();
  bool Converged(std::string* why) const;
  void CheckReplyStamps(NodeId from, const NodeActions& actions);
  void CheckPrimaryHoldsNothingBack(NodeId id);
  void FinalChecks();
  void Fail(const std::string& why);
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
  std::vector<ClientState> clients_;
  std::map<std::pair<int, int>, int> cuts_;  // (low, high) -> how many partitions cut it

  bool storm_;  // a quarter of the seeds: more loss, faults twice as often
  int64_t fault_end_;
  bool faults_on_ = true;
  uint64_t drop_per_million_;
  uint64_t duplicate_per_million_;
  bool done_ = false;

  std::map<uint64_t, NodeId> broker_terms_;  // term -> node the broker accepted
  std::map<uint64_t, NodeId> node_terms_;    // term -> node that acted as primary
  std::map<NodeId, int64_t> became_primary_at_;  // when each node last became primary
  SimResult result_;
};

}  // namespace ts::sim::detail
