#include "schema/cluster_messages.h"

#include <algorithm>
#include <string>

namespace ts::cluster {
namespace {

std::string N(uint64_t value) { return std::to_string(value); }

struct PeerDescriber {
  std::string operator()(const Heartbeat& m) const {
    return "heartbeat from " + N(m.from) + " " + std::string(RoleName(m.role)) + " term " + N(m.term) +
           " at " + Describe(m.last) + " primary " + N(m.primary_id) + " committed " + N(m.committed_seq);
  }
  std::string operator()(const WriteBatch& m) const {
    std::string text = "batch from " + N(m.from) + " term " + N(m.term) + " entries";
    if (!m.entries.empty()) {
      text += " " + Describe(m.entries.front().position) + ".." + Describe(m.entries.back().position);
    }
    return text + " committed " + N(m.committed_seq);
  }
  std::string operator()(const Election& m) const {
    return "election from " + N(m.from) + " rank " + Describe(m.rank.last) + "/" + N(m.rank.id);
  }
  std::string operator()(const ElectionAnswer& m) const {
    return "answer from " + N(m.from) + " to " + N(m.to) + " rank " + Describe(m.rank.last);
  }
  std::string operator()(const Coordinator& m) const {
    return "coordinator " + N(m.from) + " term " + N(m.term) + " at " + Describe(m.last);
  }
  std::string operator()(const RequestVote& m) const {
    return "vote request from " + N(m.from) + " term " + N(m.term) + " at " + Describe(m.last);
  }
  std::string operator()(const VoteAnswer& m) const {
    return "vote from " + N(m.from) + " to " + N(m.to) + " term " + N(m.term) +
           (m.granted ? " granted" : " refused: " + m.reason);
  }
  std::string operator()(const Shutdown& m) const {
    return "shutdown from " + N(m.from) + " term " + N(m.term);
  }
  std::string operator()(const StateTransferRequest& m) const {
    return "transfer request #" + N(m.transfer_id) + " from " + N(m.from) + " term " + N(m.term) +
           " have " + Describe(m.have);
  }
  std::string operator()(const SnapshotChunk& m) const {
    return "snapshot chunk #" + N(m.transfer_id) + "/" + N(m.index) + " from " + N(m.from) + " (" +
           N(m.pairs.size()) + " pairs)";
  }
  std::string operator()(const SnapshotEnd& m) const {
    return "snapshot end #" + N(m.transfer_id) + " from " + N(m.from) + " chunks " + N(m.chunk_count) +
           " at " + Describe(m.at) + " clients " + N(m.clients.size());
  }
  std::string operator()(const CatchUp& m) const {
    return "catch-up #" + N(m.transfer_id) + " from " + N(m.from) + " with " + N(m.entries.size()) +
           " entries";
  }
};

struct NodeToBrokerDescriber {
  std::string operator()(const Heartbeat& m) const { return PeerDescriber{}(m); }
  std::string operator()(const PreVoteRequest& m) const {
    return "pre-vote request from " + N(m.node) + " for term " + N(m.proposed_term) + " at " +
           Describe(m.last);
  }
  std::string operator()(const Registration& m) const {
    return "registration from " + N(m.node) + " term " + N(m.term) + " at " + Describe(m.last) + " with " +
           N(m.voters.size()) + " vote(s) of " + N(m.cluster_size);
  }
  std::string operator()(const ClientReplyFrame& m) const {
    return "reply from " + N(m.node) + " token " + N(m.client.token) + " committed " +
           Describe(m.committed) + " (" + N(m.frame.size()) + " bytes)";
  }
};

struct BrokerToNodeDescriber {
  std::string operator()(const BrokerStatus& m) const {
    return "broker status term " + N(m.served_term) + " primary " + N(m.primary_id) +
           (m.primary_live ? " live" : " not live") + " committed " + Describe(m.committed);
  }
  std::string operator()(const PreVoteAnswer& m) const {
    return "pre-vote " + std::string(m.granted ? "granted" : "refused") + " for term " +
           N(m.proposed_term) + (m.reason.empty() ? "" : ": " + m.reason);
  }
  std::string operator()(const RegistrationAnswer& m) const {
    return "registration " + std::string(m.accepted ? "accepted" : "refused") + " for term " + N(m.term) +
           (m.reason.empty() ? "" : ": " + m.reason);
  }
  std::string operator()(const ClientRequestFrame& m) const {
    return "client request token " + N(m.client.token) + " (" + N(m.frame.size()) + " bytes)";
  }
  std::string operator()(const ShutdownCommand&) const { return "shutdown command"; }
};

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kBackup: return "backup";
    case Role::kSyncing: return "syncing";
    case Role::kCandidate: return "candidate";
    case Role::kPrimary: return "primary";
    case Role::kStopped: return "stopped";
  }
  return "unknown";
}

std::string WhyNotMajority(const std::vector<NodeId>& voters, uint32_t cluster_size) {
  if (cluster_size == 0) return "it names no cluster size";
  std::vector<NodeId> distinct;
  for (NodeId voter : voters) {
    if (voter == kNoNode) return "it names node 0 as a voter";
    if (std::find(distinct.begin(), distinct.end(), voter) == distinct.end()) distinct.push_back(voter);
  }
  if (distinct.size() * 2 > cluster_size) return "";
  return N(distinct.size()) + " vote(s) are no majority of " + N(cluster_size) + " nodes";
}

std::string Describe(const LogPosition& position) { return N(position.term) + ":" + N(position.seq); }
std::string Describe(const PeerMessage& message) { return std::visit(PeerDescriber{}, message); }
std::string Describe(const NodeToBroker& message) { return std::visit(NodeToBrokerDescriber{}, message); }
std::string Describe(const BrokerToNode& message) { return std::visit(BrokerToNodeDescriber{}, message); }

}  // namespace ts::cluster
