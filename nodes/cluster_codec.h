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
#include "nodes/cluster_messages.h"
#include "schema/codec.h"

namespace ts::cluster {

std::string EncodePeerMessage(const PeerMessage& message);
Result<PeerMessage> DecodePeerMessage(std::string_view frame, const DecodeLimits& limits = {});

std::string EncodeNodeToBroker(const NodeToBroker& message);
Result<NodeToBroker> DecodeNodeToBroker(std::string_view frame, const DecodeLimits& limits = {});

std::string EncodeBrokerToNode(const BrokerToNode& message);
Result<BrokerToNode> DecodeBrokerToNode(std::string_view frame, const DecodeLimits& limits = {});

}  // namespace ts::cluster
