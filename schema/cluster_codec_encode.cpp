// Encoding half of schema/cluster_codec.h: plain values -> cluster frames.
#include <capnp/message.h>

#include <algorithm>

#include <string>
#include <variant>

#include "schema/cluster_codec.h"
#include "schema/cluster_codec_parts.h"
#include "schema/capnp_frame.h"

namespace ts::cluster {
namespace {

namespace cw = ts::wire::cluster;

// ------------------------------------------------------------ sizing
// A first segment big enough for the whole message keeps it in one segment
// (one copy out, and the reader's traversal budget is spent on data, not on
// far pointers). Estimates may be off; a bigger message just grows a segment.

constexpr size_t kHeaderAndUnionWords = 8;
constexpr size_t kMinimumFirstSegmentWords = 64;

size_t TextWords(size_t bytes) { return 1 + (bytes + sizeof(capnp::word)) / sizeof(capnp::word); }

size_t EffectWords(const WriteEffect& effect) {
  size_t words = 4;
  for (const auto& [key, value] : effect.upserts) words += 3 + TextWords(key.size()) + TextWords(value.size());
  for (const std::string& key : effect.erased_keys) words += TextWords(key.size());
  return words;
}

size_t EntryWords(const LogEntry& entry, const std::string& reply_bytes) {
  return 12 + EffectWords(entry.effect) + TextWords(reply_bytes.size());
}

// ------------------------------------------------------------ parts

capnp::Text::Reader AsText(const std::string& text) { return capnp::Text::Reader(text.data(), text.size()); }

capnp::Data::Reader AsData(const std::string& bytes) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size());
}

void SetPosition(cw::LogPosition::Builder out, const LogPosition& position) {
  out.setTerm(position.term);
  out.setSeq(position.seq);
}

void SetRank(cw::Rank::Builder out, const Rank& rank) {
  SetPosition(out.initLast(), rank.last);
  out.setId(rank.id);
}

void SetTag(cw::ClientTag::Builder out, const ClientTag& tag) {
  out.setAddress(AsData(tag.address));
  out.setToken(tag.token);
}

template <class PairRange>
void SetTextPairs(capnp::List<cw::TextPair>::Builder out, const PairRange& pairs) {
  unsigned i = 0;
  for (const auto& [key, value] : pairs) {
    out[i].setKey(AsText(key));
    out[i].setValue(AsText(value));
    ++i;
  }
}

void SetEntries(capnp::List<cw::LogEntry>::Builder out, const std::vector<LogEntry>& entries,
                const std::vector<std::string>& replies) {
  for (unsigned i = 0; i < entries.size(); ++i) {
    const LogEntry& entry = entries[i];
    cw::LogEntry::Builder wire = out[i];
    SetPosition(wire.initPosition(), entry.position);
    wire.setClientId(entry.request_id.client_id);
    wire.setRequestNumber(entry.request_id.request_number);
    cw::WriteEffect::Builder effect = wire.initEffect();
    SetTextPairs(effect.initUpserts(static_cast<unsigned>(entry.effect.upserts.size())), entry.effect.upserts);
    auto erased = effect.initErasedKeys(static_cast<unsigned>(entry.effect.erased_keys.size()));
    for (unsigned k = 0; k < entry.effect.erased_keys.size(); ++k) erased.set(k, AsText(entry.effect.erased_keys[k]));
    if (entry.reply) wire.setReply(AsData(replies[i]));
  }
}

// The replies of a list of entries, encoded once (used for sizing and writing).
std::vector<std::string> EncodeReplies(const std::vector<LogEntry>& entries, size_t* words) {
  std::vector<std::string> replies(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].reply) replies[i] = EncodeReply(*entries[i].reply);
    *words += EntryWords(entries[i], replies[i]);
  }
  return replies;
}

template <class Schema, class Fill>
std::string Build(size_t words, Fill&& fill) {
  capnp::MallocMessageBuilder builder(
      static_cast<unsigned>(std::max(words + kHeaderAndUnionWords, kMinimumFirstSegmentWords)));
  typename Schema::Builder root = builder.initRoot<Schema>();
  root.setMagic(cw::CLUSTER_MAGIC);
  root.setChannel(Schema::FRAME_CHANNEL);
  root.setVersion(cw::CLUSTER_WIRE_VERSION);
  fill(root);
  return capnp_frame::EncodeFrame(builder);
}

// ------------------------------------------------------------ messages

void Fill(cw::Heartbeat::Builder out, const Heartbeat& m) {
  out.setFrom(m.from);
  out.setRole(RoleToWire(m.role));
  out.setTerm(m.term);
  SetPosition(out.initLast(), m.last);
  out.setPrimaryId(m.primary_id);
  out.setCommittedSeq(m.committed_seq);
  out.setBrokerLive(m.broker_live);
  out.setLeaseStamp(m.lease_stamp);
  out.setPairs(m.pairs);
  out.setPairBytes(m.pair_bytes);
  out.setRssBytes(m.rss_bytes);
  out.setZapRefused(m.zap_refused);
}

struct PeerEncoder {
  std::string operator()(const Heartbeat& m) const {
    return Build<cw::PeerFrame>(16, [&](cw::PeerFrame::Builder root) { Fill(root.initHeartbeat(), m); });
  }
  std::string operator()(const WriteBatch& m) const {
    size_t words = 8;
    const std::vector<std::string> replies = EncodeReplies(m.entries, &words);
    return Build<cw::PeerFrame>(words, [&](cw::PeerFrame::Builder root) {
      cw::WriteBatch::Builder out = root.initWriteBatch();
      out.setFrom(m.from);
      out.setTerm(m.term);
      out.setCommittedSeq(m.committed_seq);
      SetEntries(out.initEntries(static_cast<unsigned>(m.entries.size())), m.entries, replies);
    });
  }
  std::string operator()(const Election& m) const {
    return Build<cw::PeerFrame>(16, [&](cw::PeerFrame::Builder root) {
      cw::Election::Builder out = root.initElection();
      out.setFrom(m.from);
      SetRank(out.initRank(), m.rank);
      out.setMaxTermSeen(m.max_term_seen);
    });
  }
  std::string operator()(const ElectionAnswer& m) const {
    return Build<cw::PeerFrame>(16, [&](cw::PeerFrame::Builder root) {
      cw::ElectionAnswer::Builder out = root.initElectionAnswer();
      out.setFrom(m.from);
      out.setTo(m.to);
      SetRank(out.initRank(), m.rank);
    });
  }
  std::string operator()(const RequestVote& m) const {
    return Build<cw::PeerFrame>(16, [&](cw::PeerFrame::Builder root) {
      cw::RequestVote::Builder out = root.initRequestVote();
      out.setFrom(m.from);
      out.setTerm(m.term);
      SetPosition(out.initLast(), m.last);
    });
  }
  std::string operator()(const VoteAnswer& m) const {
    return Build<cw::PeerFrame>(16 + TextWords(m.reason.size()), [&](cw::PeerFrame::Builder root) {
      cw::VoteAnswer::Builder out = root.initVoteAnswer();
      out.setFrom(m.from);
      out.setTo(m.to);
      out.setTerm(m.term);
      out.setGranted(m.granted);
      out.setReason(AsText(m.reason));
    });
  }
  std::string operator()(const Coordinator& m) const {
    return Build<cw::PeerFrame>(16, [&](cw::PeerFrame::Builder root) {
      cw::Coordinator::Builder out = root.initCoordinator();
      out.setFrom(m.from);
      out.setTerm(m.term);
      SetPosition(out.initLast(), m.last);
    });
  }
  std::string operator()(const Shutdown& m) const {
    return Build<cw::PeerFrame>(8, [&](cw::PeerFrame::Builder root) {
      cw::Shutdown::Builder out = root.initShutdown();
      out.setFrom(m.from);
      out.setTerm(m.term);
    });
  }
  std::string operator()(const StateTransferRequest& m) const {
    return Build<cw::PeerFrame>(16, [&](cw::PeerFrame::Builder root) {
      cw::StateTransferRequest::Builder out = root.initStateTransferRequest();
      out.setFrom(m.from);
      out.setTransferId(m.transfer_id);
      out.setTerm(m.term);
      SetPosition(out.initHave(), m.have);
    });
  }
  std::string operator()(const SnapshotChunk& m) const {
    size_t words = 8;
    for (const auto& [key, value] : m.pairs) words += 3 + TextWords(key.size()) + TextWords(value.size());
    return Build<cw::PeerFrame>(words, [&](cw::PeerFrame::Builder root) {
      cw::SnapshotChunk::Builder out = root.initSnapshotChunk();
      out.setFrom(m.from);
      out.setTransferId(m.transfer_id);
      out.setTerm(m.term);
      out.setIndex(m.index);
      SetTextPairs(out.initPairs(static_cast<unsigned>(m.pairs.size())), m.pairs);
    });
  }
  std::string operator()(const SnapshotEnd& m) const {
    size_t words = 16;
    std::vector<std::string> replies(m.clients.size());
    for (size_t i = 0; i < m.clients.size(); ++i) {
      replies[i] = EncodeReply(m.clients[i].reply);
      words += 6 + TextWords(replies[i].size());
    }
    return Build<cw::PeerFrame>(words, [&](cw::PeerFrame::Builder root) {
      cw::SnapshotEnd::Builder out = root.initSnapshotEnd();
      out.setFrom(m.from);
      out.setTransferId(m.transfer_id);
      out.setTerm(m.term);
      out.setChunkCount(m.chunk_count);
      SetPosition(out.initAt(), m.at);
      auto clients = out.initClients(static_cast<unsigned>(m.clients.size()));
      for (unsigned i = 0; i < m.clients.size(); ++i) {
        clients[i].setClientId(m.clients[i].client_id);
        clients[i].setRequestNumber(m.clients[i].request_number);
        clients[i].setSeq(m.clients[i].seq);
        clients[i].setReply(AsData(replies[i]));
      }
      out.setCommittedSeq(m.committed_seq);
    });
  }
  std::string operator()(const CatchUp& m) const {
    size_t words = 8;
    const std::vector<std::string> replies = EncodeReplies(m.entries, &words);
    return Build<cw::PeerFrame>(words, [&](cw::PeerFrame::Builder root) {
      cw::CatchUp::Builder out = root.initCatchUp();
      out.setFrom(m.from);
      out.setTransferId(m.transfer_id);
      out.setTerm(m.term);
      SetEntries(out.initEntries(static_cast<unsigned>(m.entries.size())), m.entries, replies);
      out.setCommittedSeq(m.committed_seq);
    });
  }
};

struct NodeToBrokerEncoder {
  std::string operator()(const Heartbeat& m) const {
    return Build<cw::NodeToBrokerFrame>(16, [&](cw::NodeToBrokerFrame::Builder root) {
      Fill(root.initHeartbeat(), m);
    });
  }
  std::string operator()(const PreVoteRequest& m) const {
    return Build<cw::NodeToBrokerFrame>(16, [&](cw::NodeToBrokerFrame::Builder root) {
      cw::PreVoteRequest::Builder out = root.initPreVoteRequest();
      out.setNode(m.node);
      out.setProposedTerm(m.proposed_term);
      SetPosition(out.initLast(), m.last);
    });
  }
  std::string operator()(const Registration& m) const {
    return Build<cw::NodeToBrokerFrame>(16 + m.voters.size() / 2, [&](cw::NodeToBrokerFrame::Builder root) {
      cw::Registration::Builder out = root.initRegistration();
      out.setNode(m.node);
      out.setTerm(m.term);
      SetPosition(out.initLast(), m.last);
      auto voters = out.initVoters(static_cast<unsigned>(m.voters.size()));
      for (unsigned i = 0; i < m.voters.size(); ++i) voters.set(i, m.voters[i]);
      out.setClusterSize(m.cluster_size);
    });
  }
  std::string operator()(const ClientReplyFrame& m) const {
    const size_t words = 16 + TextWords(m.client.address.size()) + TextWords(m.frame.size());
    return Build<cw::NodeToBrokerFrame>(words, [&](cw::NodeToBrokerFrame::Builder root) {
      cw::ClientReplyFrame::Builder out = root.initClientReply();
      out.setNode(m.node);
      SetTag(out.initClient(), m.client);
      SetPosition(out.initCommitted(), m.committed);
      out.setFrame(AsData(m.frame));
    });
  }
};

struct BrokerToNodeEncoder {
  std::string operator()(const BrokerStatus& m) const {
    return Build<cw::BrokerToNodeFrame>(16, [&](cw::BrokerToNodeFrame::Builder root) {
      cw::BrokerStatus::Builder out = root.initBrokerStatus();
      out.setServedTerm(m.served_term);
      out.setPrimaryId(m.primary_id);
      out.setPrimaryLive(m.primary_live);
      SetPosition(out.initCommitted(), m.committed);
    });
  }
  std::string operator()(const PreVoteAnswer& m) const {
    return Build<cw::BrokerToNodeFrame>(16 + TextWords(m.reason.size()), [&](cw::BrokerToNodeFrame::Builder root) {
      cw::PreVoteAnswer::Builder out = root.initPreVoteAnswer();
      out.setProposedTerm(m.proposed_term);
      out.setGranted(m.granted);
      out.setServedTerm(m.served_term);
      out.setPrimaryId(m.primary_id);
      out.setReason(AsText(m.reason));
      SetPosition(out.initCommitted(), m.committed);
    });
  }
  std::string operator()(const RegistrationAnswer& m) const {
    return Build<cw::BrokerToNodeFrame>(16 + TextWords(m.reason.size()), [&](cw::BrokerToNodeFrame::Builder root) {
      cw::RegistrationAnswer::Builder out = root.initRegistrationAnswer();
      out.setTerm(m.term);
      out.setAccepted(m.accepted);
      out.setServedTerm(m.served_term);
      out.setPrimaryId(m.primary_id);
      out.setReason(AsText(m.reason));
    });
  }
  std::string operator()(const ClientRequestFrame& m) const {
    const size_t words = 8 + TextWords(m.client.address.size()) + TextWords(m.frame.size());
    return Build<cw::BrokerToNodeFrame>(words, [&](cw::BrokerToNodeFrame::Builder root) {
      cw::ClientRequestFrame::Builder out = root.initClientRequest();
      SetTag(out.initClient(), m.client);
      out.setFrame(AsData(m.frame));
    });
  }
  std::string operator()(const ShutdownCommand&) const {
    return Build<cw::BrokerToNodeFrame>(8, [&](cw::BrokerToNodeFrame::Builder root) { root.setShutdownCommand(); });
  }
};

}  // namespace

std::string EncodePeerMessage(const PeerMessage& message) { return std::visit(PeerEncoder{}, message); }
std::string EncodeNodeToBroker(const NodeToBroker& message) { return std::visit(NodeToBrokerEncoder{}, message); }
std::string EncodeBrokerToNode(const BrokerToNode& message) { return std::visit(BrokerToNodeEncoder{}, message); }

}  // namespace ts::cluster
