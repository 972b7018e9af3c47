// Decoding half of schema/cluster_codec.h: cluster frames -> plain values.
//
// Every reader call below may throw (kj::Exception on hostile bytes, or
// BadField for a value this build cannot take); capnp_frame::ReadFrame catches
// both and reports the FieldPath the converters keep current. Nothing here
// keeps a reference into the frame.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#include "schema/cluster_codec.h"
#include "schema/cluster_codec_parts.h"
#include "schema/capnp_frame.h"

namespace ts::cluster {
namespace {

namespace cw = ts::wire::cluster;
using capnp_frame::FieldPath;

struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string ToString(capnp::Text::Reader text) { return std::string(text.cStr(), text.size()); }
std::string ToString(capnp::Data::Reader data) {
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

LogPosition ToPosition(cw::LogPosition::Reader in) { return LogPosition{in.getTerm(), in.getSeq()}; }
Rank ToRank(cw::Rank::Reader in) { return Rank{ToPosition(in.getLast()), in.getId()}; }
ClientTag ToTag(cw::ClientTag::Reader in) { return ClientTag{ToString(in.getAddress()), in.getToken()}; }

Role ToRole(cw::Role role) {
  if (auto known = RoleFromWire(role)) return *known;
  throw BadField("role #" + std::to_string(static_cast<uint16_t>(role)) + " is unknown to this build");
}

Reply ToReply(capnp::Data::Reader bytes) {
  Result<Reply> reply = DecodeReply(ToString(bytes), kClusterDecodeLimits);
  if (!reply.ok()) throw BadField("embedded client reply: " + reply.error().message);
  return std::move(reply).value();
}

std::vector<std::pair<std::string, std::string>> ToTextPairs(capnp::List<cw::TextPair>::Reader in,
                                                              FieldPath& path, int depth) {
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(in.size());
  for (unsigned i = 0; i < in.size(); ++i) {
    path.At(depth, "pair", i + 1);
    pairs.emplace_back(ToString(in[i].getKey()), ToString(in[i].getValue()));
  }
  return pairs;
}

std::vector<LogEntry> ToEntries(capnp::List<cw::LogEntry>::Reader in, FieldPath& path) {
  std::vector<LogEntry> entries;
  entries.reserve(in.size());
  for (unsigned i = 0; i < in.size(); ++i) {
    path.At(1, "entry", i + 1);
    const cw::LogEntry::Reader wire = in[i];
    LogEntry entry;
    entry.position = ToPosition(wire.getPosition());
    entry.request_id = RequestId{wire.getClientId(), wire.getRequestNumber()};
    const cw::WriteEffect::Reader effect = wire.getEffect();
    path.At(2, "upserts");
    entry.effect.upserts = ToTextPairs(effect.getUpserts(), path, 3);
    path.At(2, "erased keys");
    const auto erased = effect.getErasedKeys();
    entry.effect.erased_keys.reserve(erased.size());
    for (unsigned k = 0; k < erased.size(); ++k) entry.effect.erased_keys.push_back(ToString(erased[k]));
    path.At(2, "reply");
    if (wire.hasReply()) entry.reply = ToReply(wire.getReply());
    entries.push_back(std::move(entry));
  }
  return entries;
}

Heartbeat ToHeartbeat(cw::Heartbeat::Reader in) {
  Heartbeat heartbeat{in.getFrom(),      ToRole(in.getRole()), in.getTerm(),       ToPosition(in.getLast()),
                      in.getPrimaryId(), in.getCommittedSeq(), in.getBrokerLive(), in.getLeaseStamp()};
  heartbeat.pairs = in.getPairs();
  heartbeat.pair_bytes = in.getPairBytes();
  heartbeat.rss_bytes = in.getRssBytes();
  heartbeat.zap_refused = in.getZapRefused();
  return heartbeat;
}

// ------------------------------------------------------------ channels

Result<PeerMessage> ToPeerMessage(cw::PeerFrame::Reader root, FieldPath& path) {
  switch (root.which()) {
    case cw::PeerFrame::HEARTBEAT:
      path.At(0, "heartbeat");
      return PeerMessage{ToHeartbeat(root.getHeartbeat())};
    case cw::PeerFrame::WRITE_BATCH: {
      path.At(0, "write batch");
      const auto in = root.getWriteBatch();
      return PeerMessage{WriteBatch{in.getFrom(), in.getTerm(), in.getCommittedSeq(), ToEntries(in.getEntries(), path)}};
    }
    case cw::PeerFrame::ELECTION: {
      path.At(0, "election");
      const auto in = root.getElection();
      return PeerMessage{Election{in.getFrom(), ToRank(in.getRank()), in.getMaxTermSeen()}};
    }
    case cw::PeerFrame::ELECTION_ANSWER: {
      path.At(0, "election answer");
      const auto in = root.getElectionAnswer();
      return PeerMessage{ElectionAnswer{in.getFrom(), in.getTo(), ToRank(in.getRank())}};
    }
    case cw::PeerFrame::REQUEST_VOTE: {
      path.At(0, "request vote");
      const auto in = root.getRequestVote();
      return PeerMessage{RequestVote{in.getFrom(), in.getTerm(), ToPosition(in.getLast())}};
    }
    case cw::PeerFrame::VOTE_ANSWER: {
      path.At(0, "vote answer");
      const auto in = root.getVoteAnswer();
      return PeerMessage{VoteAnswer{in.getFrom(), in.getTo(), in.getTerm(), in.getGranted(),
                                    ToString(in.getReason())}};
    }
    case cw::PeerFrame::COORDINATOR: {
      path.At(0, "coordinator");
      const auto in = root.getCoordinator();
      return PeerMessage{Coordinator{in.getFrom(), in.getTerm(), ToPosition(in.getLast())}};
    }
    case cw::PeerFrame::SHUTDOWN: {
      path.At(0, "shutdown");
      const auto in = root.getShutdown();
      return PeerMessage{Shutdown{in.getFrom(), in.getTerm()}};
    }
    case cw::PeerFrame::STATE_TRANSFER_REQUEST: {
      path.At(0, "state transfer request");
      const auto in = root.getStateTransferRequest();
      return PeerMessage{StateTransferRequest{in.getFrom(), in.getTransferId(), in.getTerm(), ToPosition(in.getHave())}};
    }
    case cw::PeerFrame::SNAPSHOT_CHUNK: {
      path.At(0, "snapshot chunk");
      const auto in = root.getSnapshotChunk();
      return PeerMessage{SnapshotChunk{in.getFrom(), in.getTransferId(), in.getTerm(), in.getIndex(),
                                       ToTextPairs(in.getPairs(), path, 1)}};
    }
    case cw::PeerFrame::SNAPSHOT_END: {
      path.At(0, "snapshot end");
      const auto in = root.getSnapshotEnd();
      SnapshotEnd end{in.getFrom(), in.getTransferId(), in.getTerm(), in.getChunkCount(),
                      ToPosition(in.getAt()), {}, in.getCommittedSeq()};
      const auto clients = in.getClients();
      end.clients.reserve(clients.size());
      for (unsigned i = 0; i < clients.size(); ++i) {
        path.At(1, "client record", i + 1);
        const auto c = clients[i];
        end.clients.push_back(ClientRecord{c.getClientId(), c.getRequestNumber(), c.getSeq(), ToReply(c.getReply())});
      }
      return PeerMessage{std::move(end)};
    }
    case cw::PeerFrame::CATCH_UP: {
      path.At(0, "catch-up");
      const auto in = root.getCatchUp();
      return PeerMessage{CatchUp{in.getFrom(), in.getTransferId(), in.getTerm(), ToEntries(in.getEntries(), path),
                                 in.getCommittedSeq()}};
    }
  }
  return Error{ErrorKind::kMalformedRequest, "peer frame carries message #" + std::to_string(root.which()) +
                                                 ", unknown to this build (a newer sender?)"};
}

Result<NodeToBroker> ToNodeToBroker(cw::NodeToBrokerFrame::Reader root, FieldPath& path) {
  switch (root.which()) {
    case cw::NodeToBrokerFrame::HEARTBEAT:
      path.At(0, "heartbeat");
      return NodeToBroker{ToHeartbeat(root.getHeartbeat())};
    case cw::NodeToBrokerFrame::PRE_VOTE_REQUEST: {
      path.At(0, "pre-vote request");
      const auto in = root.getPreVoteRequest();
      return NodeToBroker{PreVoteRequest{in.getNode(), in.getProposedTerm(), ToPosition(in.getLast())}};
    }
    case cw::NodeToBrokerFrame::REGISTRATION: {
      path.At(0, "registration");
      const auto in = root.getRegistration();
      std::vector<NodeId> voters;
      for (uint32_t voter : in.getVoters()) voters.push_back(voter);
      return NodeToBroker{Registration{in.getNode(), in.getTerm(), ToPosition(in.getLast()), std::move(voters),
                                       in.getClusterSize()}};
    }
    case cw::NodeToBrokerFrame::CLIENT_REPLY: {
      path.At(0, "client reply");
      const auto in = root.getClientReply();
      return NodeToBroker{ClientReplyFrame{in.getNode(), ToTag(in.getClient()), ToPosition(in.getCommitted()),
                                           ToString(in.getFrame())}};
    }
  }
  return Error{ErrorKind::kMalformedRequest, "node-to-broker frame carries message #" +
                                                 std::to_string(root.which()) +
                                                 ", unknown to this build (a newer sender?)"};
}

Result<BrokerToNode> ToBrokerToNode(cw::BrokerToNodeFrame::Reader root, FieldPath& path) {
  switch (root.which()) {
    case cw::BrokerToNodeFrame::BROKER_STATUS: {
      path.At(0, "broker status");
      const auto in = root.getBrokerStatus();
      return BrokerToNode{BrokerStatus{in.getServedTerm(), in.getPrimaryId(), in.getPrimaryLive(),
                                       ToPosition(in.getCommitted())}};
    }
    case cw::BrokerToNodeFrame::PRE_VOTE_ANSWER: {
      path.At(0, "pre-vote answer");
      const auto in = root.getPreVoteAnswer();
      return BrokerToNode{PreVoteAnswer{in.getProposedTerm(), in.getGranted(), in.getServedTerm(),
                                        in.getPrimaryId(), ToString(in.getReason()),
                                        ToPosition(in.getCommitted())}};
    }
    case cw::BrokerToNodeFrame::REGISTRATION_ANSWER: {
      path.At(0, "registration answer");
      const auto in = root.getRegistrationAnswer();
      return BrokerToNode{RegistrationAnswer{in.getTerm(), in.getAccepted(), in.getServedTerm(),
                                             in.getPrimaryId(), ToString(in.getReason())}};
    }
    case cw::BrokerToNodeFrame::CLIENT_REQUEST: {
      path.At(0, "client request");
      const auto in = root.getClientRequest();
      return BrokerToNode{ClientRequestFrame{ToTag(in.getClient()), ToString(in.getFrame())}};
    }
    case cw::BrokerToNodeFrame::SHUTDOWN_COMMAND:
      return BrokerToNode{ShutdownCommand{}};
  }
  return Error{ErrorKind::kMalformedRequest, "broker-to-node frame carries message #" +
                                                 std::to_string(root.which()) +
                                                 ", unknown to this build (a newer sender?)"};
}

// ------------------------------------------------------------ framing

std::string Hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

Status CheckHeader(cw::ClusterHeader::Reader header, cw::Channel expected) {
  const std::string wanted = ChannelName(expected);
  auto malformed = [](std::string message) { return Error{ErrorKind::kMalformedRequest, std::move(message)}; };
  if (header.getMagic() == wire::FRAME_MAGIC) {
    return malformed("a client frame (magic \"TSTR\") where a " + wanted + " was expected");
  }
  if (header.getMagic() != cw::CLUSTER_MAGIC) {
    return malformed("not a cluster frame: magic " + Hex32(header.getMagic()) + ", expected " +
                     Hex32(cw::CLUSTER_MAGIC) + " (\"TSCL\"); a " + wanted + " was expected");
  }
  if (header.getVersion() != cw::CLUSTER_WIRE_VERSION) {
    return malformed("cluster wire version " + std::to_string(header.getVersion()) +
                     " is not supported (this build speaks version " +
                     std::to_string(cw::CLUSTER_WIRE_VERSION) + ")");
  }
  if (header.getChannel() != expected) {
    return malformed("a " + ChannelName(header.getChannel()) + " where a " + wanted + " was expected");
  }
  return Status::Ok();
}

// ReadFrame's own messages speak of a "tuplestar frame"; name the channel instead.
Error Renamed(Error error, const std::string& wanted) {
  static const std::string kGeneric = "tuplestar frame";
  const size_t at = error.message.find(kGeneric);
  if (at != std::string::npos) error.message.replace(at, kGeneric.size(), wanted);
  return error;
}

template <class T, class Schema, class Convert>
Result<T> DecodeChannel(std::string_view frame, const DecodeLimits& limits, Convert&& convert) {
  Result<T> result = capnp_frame::ReadFrame<T>(
      frame, limits, wire::FrameKind::UNKNOWN, [&](capnp::MessageReader& reader, FieldPath& path) -> Result<T> {
        path.At(0, "frame header");
        Status header = CheckHeader(reader.getRoot<cw::ClusterHeader>(), Schema::FRAME_CHANNEL);
        if (!header.ok()) return header.error();
        return convert(reader.getRoot<Schema>(), path);
      });
  if (!result.ok()) return Renamed(result.error(), ChannelName(Schema::FRAME_CHANNEL));
  return result;
}

}  // namespace

Result<PeerMessage> DecodePeerMessage(std::string_view frame, const DecodeLimits& limits) {
  return DecodeChannel<PeerMessage, cw::PeerFrame>(frame, limits, ToPeerMessage);
}

Result<NodeToBroker> DecodeNodeToBroker(std::string_view frame, const DecodeLimits& limits) {
  return DecodeChannel<NodeToBroker, cw::NodeToBrokerFrame>(frame, limits, ToNodeToBroker);
}

Result<BrokerToNode> DecodeBrokerToNode(std::string_view frame, const DecodeLimits& limits) {
  return DecodeChannel<BrokerToNode, cw::BrokerToNodeFrame>(frame, limits, ToBrokerToNode);
}

}  // namespace ts::cluster
