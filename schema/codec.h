// Client frames: Request and Reply to Cap'n Proto bytes and back.
//
// Encoding cannot fail (for messages within Cap'n Proto's own bounds: lists
// under 2^29 elements, texts under 512 MiB, far beyond any tuplestar limit).
// Decoding copies the frame into aligned words (a ZeroMQ frame has no
// alignment promise), reads it under traversal and nesting limits, and turns
// every hostile input (truncated, wrong pointers, not a tuplestar frame, wrong
// frame kind or wire version, trailing bytes) into an Error of kind
// kMalformedRequest whose message says what was wrong; a frame over
// max_frame_bytes is refused unread with kTooLarge. No exception escapes these
// functions. A request pair without a key or value is not a decode failure: it
// sets Request::pair_list_error (pairs then empty), so the server can answer
// with the request's id. A reply's unknown enum values (from a newer server)
// decode to kInternal (error kind, message naming the number) and kMalformed
// (reject reason). The frame layout and rules are in schema/tuplestar.capnp,
// the safe-decode machinery in schema/capnp_frame.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "schema/messages.h"

namespace ts {

struct DecodeLimits {
  size_t max_frame_bytes = 64u << 20;            // larger frames are refused unread
  uint64_t traversal_limit_words = 16u << 20;    // Cap'n Proto amplification guard;
                                                 // also capped at 2x the frame's words
  int nesting_limit = 16;                        // our schema nests at most ~4 deep
};

std::string EncodeRequest(const Request& request);
Result<Request> DecodeRequest(std::string_view frame, const DecodeLimits& limits = {});

std::string EncodeReply(const Reply& reply);
Result<Reply> DecodeReply(std::string_view frame, const DecodeLimits& limits = {});

// What an observer (the metrics of a node or a broker) needs of a frame, read
// without converting its patterns or pairs: the id, the op and, for a reply,
// how it ended. Same safety as the decoders (errors, never exceptions).
struct FrameSummary {
  RequestId id;
  std::string op_name;
  std::optional<ErrorKind> error;  // reply: failed as a whole
  size_t rejected = 0;             // reply: PUT/POST pairs not used
};
Result<FrameSummary> PeekRequest(std::string_view frame, const DecodeLimits& limits = {});
Result<FrameSummary> PeekReply(std::string_view frame, const DecodeLimits& limits = {});
// A reply's outcome for metrics: "ok", "rejected" (some PUT/POST pairs not
// used) or the error kind's name.
std::string OutcomeOf(const FrameSummary& reply);
// The key a request is timed under between its arrival and its reply: the
// client's routing id and the request's id (a retry reuses it).
std::string TimingKey(std::string_view client_address, const RequestId& id);

}  // namespace ts
