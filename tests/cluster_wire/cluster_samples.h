// Sample cluster messages (every variant of PeerMessage, NodeToBroker and
// BrokerToNode, every field set to a distinctive non-default value) and a
// Dump of every field, so that a round trip is checked field by field.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "schema/cluster_messages.h"
#include "schema/codec.h"

namespace ts::cluster_wire_test {

using namespace ts::cluster;

inline constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

inline std::string N(uint64_t value) { return std::to_string(value); }

inline std::string Hexed(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text;
  for (unsigned char c : bytes) {
    text += kDigits[c >> 4];
    text += kDigits[c & 15];
  }
  return text;
}

inline std::string Dump(const LogPosition& p) { return "(" + N(p.term) + ":" + N(p.seq) + ")"; }
inline std::string Dump(const Rank& r) { return "rank" + Dump(r.last) + "/" + N(r.id); }
inline std::string Dump(const ClientTag& t) { return "tag[" + Hexed(t.address) + "#" + N(t.token) + "]"; }
// Replies compare by their encoding (the client codec's own tests check it field by field).
inline std::string Dump(const Reply& r) { return "reply[" + Hexed(EncodeReply(r)) + "]"; }

inline std::string Dump(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string text = "pairs[";
  for (const auto& [k, v] : pairs) text += Hexed(k) + "=" + Hexed(v) + ";";
  return text + "]";
}

inline std::string Dump(const LogEntry& e) {
  std::string text = "entry" + Dump(e.position) + " id " + N(e.request_id.client_id) + "/" +
                     N(e.request_id.request_number) + " ups " + Dump(e.effect.upserts) + " erased[";
  for (const auto& k : e.effect.erased_keys) text += Hexed(k) + ";";
  text += "] ";
  text += e.reply ? Dump(*e.reply) : "no reply";
  return text;
}

inline std::string Dump(const std::vector<LogEntry>& entries) {
  std::string text = "entries{";
  for (const auto& e : entries) text += Dump(e) + "|";
  return text + "}";
}

inline std::string Dump(const Heartbeat& m) {
  return "Heartbeat " + N(m.from) + " " + std::string(RoleName(m.role)) + " " + N(m.term) + " " + Dump(m.last) +
         " " + N(m.primary_id) + " " + N(m.committed_seq) + " " + (m.broker_live ? "live" : "dead") + " " +
         N(m.lease_stamp) + " pairs " + N(m.pairs) + "/" + N(m.pair_bytes) + " rss " + N(m.rss_bytes) + " zap " +
         N(m.zap_refused);
}
inline std::string Dump(const RequestVote& m) {
  return "RequestVote " + N(m.from) + " " + N(m.term) + " " + Dump(m.last);
}
inline std::string Dump(const VoteAnswer& m) {
  return "VoteAnswer " + N(m.from) + " " + N(m.to) + " " + N(m.term) + " " + (m.granted ? "granted" : "refused") +
         " " + Hexed(m.reason);
}
inline std::string Dump(const WriteBatch& m) {
  return "WriteBatch " + N(m.from) + " " + N(m.term) + " " + N(m.committed_seq) + " " + Dump(m.entries);
}
inline std::string Dump(const Election& m) {
  return "Election " + N(m.from) + " " + Dump(m.rank) + " " + N(m.max_term_seen);
}
inline std::string Dump(const ElectionAnswer& m) {
  return "ElectionAnswer " + N(m.from) + " " + N(m.to) + " " + Dump(m.rank);
}
inline std::string Dump(const Coordinator& m) {
  return "Coordinator " + N(m.from) + " " + N(m.term) + " " + Dump(m.last);
}
inline std::string Dump(const Shutdown& m) { return "Shutdown " + N(m.from) + " " + N(m.term); }
inline std::string Dump(const StateTransferRequest& m) {
  return "StateTransferRequest " + N(m.from) + " " + N(m.transfer_id) + " " + N(m.term) + " " + Dump(m.have);
}
inline std::string Dump(const SnapshotChunk& m) {
  return "SnapshotChunk " + N(m.from) + " " + N(m.transfer_id) + " " + N(m.term) + " " + N(m.index) + " " +
         Dump(m.pairs);
}
inline std::string Dump(const SnapshotEnd& m) {
  std::string text = "SnapshotEnd " + N(m.from) + " " + N(m.transfer_id) + " " + N(m.term) + " " +
                     N(m.chunk_count) + " " + Dump(m.at) + " " + N(m.committed_seq) + " clients{";
  for (const auto& c : m.clients) {
    text += N(c.client_id) + "/" + N(c.request_number) + "@" + N(c.seq) + " " + Dump(c.reply) + "|";
  }
  return text + "}";
}
inline std::string Dump(const CatchUp& m) {
  return "CatchUp " + N(m.from) + " " + N(m.transfer_id) + " " + N(m.term) + " " + Dump(m.entries) + " " +
         N(m.committed_seq);
}
inline std::string Dump(const PreVoteRequest& m) {
  return "PreVoteRequest " + N(m.node) + " " + N(m.proposed_term) + " " + Dump(m.last);
}
inline std::string Dump(const Registration& m) {
  std::string voters;
  for (NodeId voter : m.voters) voters += " " + N(voter);
  return "Registration " + N(m.node) + " " + N(m.term) + " " + Dump(m.last) + " [" + voters + " ] of " +
         N(m.cluster_size);
}
inline std::string Dump(const ClientReplyFrame& m) {
  return "ClientReplyFrame " + N(m.node) + " " + Dump(m.client) + " " + Dump(m.committed) + " " + Hexed(m.frame);
}
inline std::string Dump(const BrokerStatus& m) {
  return "BrokerStatus " + N(m.served_term) + " " + N(m.primary_id) + " " + (m.primary_live ? "live" : "dead") +
         " " + Dump(m.committed);
}
inline std::string Dump(const PreVoteAnswer& m) {
  return "PreVoteAnswer " + N(m.proposed_term) + " " + (m.granted ? "granted" : "refused") + " " +
         N(m.served_term) + " " + N(m.primary_id) + " " + Hexed(m.reason);
}
inline std::string Dump(const RegistrationAnswer& m) {
  return "RegistrationAnswer " + N(m.term) + " " + (m.accepted ? "accepted" : "refused") + " " +
         N(m.served_term) + " " + N(m.primary_id) + " " + Hexed(m.reason);
}
inline std::string Dump(const ClientRequestFrame& m) {
  return "ClientRequestFrame " + Dump(m.client) + " " + Hexed(m.frame);
}
inline std::string Dump(const ShutdownCommand&) { return "ShutdownCommand"; }

template <class... Ts>
std::string Dump(const std::variant<Ts...>& message) {
  return std::visit([](const auto& m) { return Dump(m); }, message);
}

inline Reply SampleReply(uint64_t n) {
  Reply reply;
  reply.id = RequestId{n, n * 7};
  reply.op_name = "PUT";
  reply.rejected.push_back(Rejection{Pair{{"k", std::to_string(n)}, {"v"}}, RejectReason::kKeyPresent});
  reply.served_by = 3;
  reply.term = 9;
  return reply;
}

inline LogEntry SampleEntry(uint64_t seq, bool with_reply) {
  LogEntry entry;
  entry.position = LogPosition{4, seq};
  entry.request_id = RequestId{0xC0FFEE + seq, seq * 3};
  entry.effect.upserts = {{"user," + N(seq), "Alice,30"}, {"x", std::string("nul\0in", 6)}};
  entry.effect.erased_keys = {"old," + N(seq), ""};
  if (with_reply) entry.reply = SampleReply(seq);
  return entry;
}

inline std::vector<PeerMessage> SamplePeerMessages() {
  std::vector<PeerMessage> samples;
  for (Role role : {Role::kBackup, Role::kSyncing, Role::kCandidate, Role::kPrimary, Role::kStopped}) {
    samples.push_back(Heartbeat{7, role, 12, {11, 340}, 2, 339, role == Role::kPrimary});
  }
  samples.push_back(Heartbeat{kNoNode, Role::kCandidate, 0, {}, kNoNode, 0, false});  // all defaults
  samples.push_back(Heartbeat{0xFFFFFFFF, Role::kPrimary, kMax64, {kMax64, kMax64}, 0xFFFFFFFE, kMax64, true, kMax64});
  samples.push_back(Heartbeat{3, Role::kBackup, 5, {5, 9}, 2, 0, false, 123'457});  // a lease echo
  // The status facts (pairs, bytes, resident memory, ZAP refusals).
  samples.push_back(Heartbeat{3, Role::kBackup, 5, {5, 9}, 2, 0, false, 1, 12, 345, 1u << 30, kMax64});
  samples.push_back(WriteBatch{2, 4, 17, {SampleEntry(18, true), SampleEntry(19, false), LogEntry{}}});
  samples.push_back(WriteBatch{2, 4, 17, {}});
  samples.push_back(Election{3, Rank{{5, 6}, 3}, 8});
  samples.push_back(ElectionAnswer{5, 3, Rank{{5, 9}, 5}});
  samples.push_back(Coordinator{5, 6, {5, 9}});
  samples.push_back(Shutdown{5, 6});
  samples.push_back(StateTransferRequest{1, 0xDEADBEEF12345678ULL, 6, {5, 2}});
  samples.push_back(SnapshotChunk{5, 42, 6, 3, {{"a", "1"}, {"b,c", "2,3"}, {std::string(300, 'k'), ""}}});
  samples.push_back(SnapshotChunk{5, 42, 6, 0, {}});
  samples.push_back(SnapshotEnd{5, 42, 6, 4, {6, 100},
                                {ClientRecord{11, 2, 90, SampleReply(1)}, ClientRecord{12, 8, 99, Reply{}}}, 98});
  samples.push_back(CatchUp{5, 43, 6, {SampleEntry(101, true), SampleEntry(102, true)}, 101});
  samples.push_back(RequestVote{3, 7, {6, 12}});
  samples.push_back(RequestVote{});
  samples.push_back(VoteAnswer{2, 3, 7, true, ""});
  samples.push_back(VoteAnswer{1, 3, 7, false, "node 1 voted for node 2 in that term"});
  return samples;
}

inline std::vector<NodeToBroker> SampleNodeToBroker() {
  return {
      Heartbeat{1, Role::kPrimary, 3, {3, 50}, 1, 49, true},
      PreVoteRequest{2, 4, {3, 50}},
      Registration{2, 4, {3, 50}, {2, 3}, 3},
      Registration{2, 4, {3, 50}, {}, 0},
      Registration{5, 9, {8, 1}, {5, 1, 2, 4}, 7},
      ClientReplyFrame{2, ClientTag{std::string("\0\x80\x01id", 5), 77}, {4, 51}, EncodeReply(SampleReply(5))},
      ClientReplyFrame{2, ClientTag{"", 0}, {}, ""},
  };
}

inline std::vector<BrokerToNode> SampleBrokerToNode() {
  return {
      BrokerStatus{4, 2, true, {4, 51}},
      BrokerStatus{},
      PreVoteAnswer{5, false, 4, 2, "primary 2 of term 4 is live", LogPosition{4, 17}},
      PreVoteAnswer{5, true, 4, 0, "", LogPosition{}},
      RegistrationAnswer{5, true, 5, 3, ""},
      RegistrationAnswer{5, false, 6, 1, "term 5 is not above served term 6 (primary 1)"},
      ClientRequestFrame{ClientTag{std::string("\x00\x6b\x8b\x45\x67", 5), 9}, EncodeRequest(MakeGet("a.*", ".*"))},
      ClientRequestFrame{ClientTag{"c", 1}, "not a request at all"},
      ShutdownCommand{},
  };
}

}  // namespace ts::cluster_wire_test
