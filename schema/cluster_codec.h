// Cluster frames: PeerMessage, NodeToBroker and BrokerToNode to Cap'n Proto
// bytes and back (schema/cluster.capnp; docs/PROTOCOL.md "Cluster messages").
//
// Encoding cannot fail. Decoding goes through schema/capnp_frame.h's
// ReadFrame, the same guarded path as client frames: the frame is size-checked,
// copied into aligned words and read under traversal and nesting limits, and
// every hostile input (truncated, bad pointers, a client frame or another
// channel's frame, an unknown wire version, union member or role, an embedded
// client reply that does not decode) comes back as an Error of kind
// kMalformedRequest whose message names the channel and, when it got that
// far, the field; a frame over max_frame_bytes is refused unread (kTooLarge).
// Nothing throws out of these functions.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "schema/cluster_messages.h"
#include "schema/codec.h"

namespace ts::cluster {

// Cluster links carry whole snapshots' chunks, catch-ups of up to the recent
// log's byte budget (64 MiB of effects, more once framed) and the replies of
// big GETs, so their frames may be far larger than a client's. These limits
// are the defaults of the decoders below, and of the client replies embedded
// in cluster frames.
inline constexpr DecodeLimits kClusterDecodeLimits{
    .max_frame_bytes = size_t{512} << 20,
    .traversal_limit_words = uint64_t{128} << 20,  // also capped at 2x the frame's words
    .nesting_limit = 16,
};

std::string EncodePeerMessage(const PeerMessage& message);
Result<PeerMessage> DecodePeerMessage(std::string_view frame, const DecodeLimits& limits = kClusterDecodeLimits);

std::string EncodeNodeToBroker(const NodeToBroker& message);
Result<NodeToBroker> DecodeNodeToBroker(std::string_view frame, const DecodeLimits& limits = kClusterDecodeLimits);

std::string EncodeBrokerToNode(const BrokerToNode& message);
Result<BrokerToNode> DecodeBrokerToNode(std::string_view frame, const DecodeLimits& limits = kClusterDecodeLimits);

}  // namespace ts::cluster
