// The client protocol as plain C++ values: what a client asks and what it is
// told. schema/codec.h turns these into Cap'n Proto frames and back; the space,
// the nodes and the clients work only with these structs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tuple.h"

namespace ts {

enum class Op { kGet, kPut, kPost, kDelete, kTake, kWatch, kOther };

// "GET" -> kGet, ...; any other name (even lower case) -> kOther.
Op OpFromName(std::string_view name);
std::string_view OpName(Op op);  // "GET", "PUT", "POST", "DELETE", "TAKE", "WATCH", "OTHER"
// TAKE removes a pair: a write, replicated and exactly-once like PUT, POST, DELETE.
bool IsWriteOp(Op op);

// Operation names the broker itself answers (not relayed to nodes). See
// docs/PROTOCOL.md "Shutdown endpoint" and "Status request".
inline constexpr const char* kShutdownOpName = "SHUTDOWN";
inline constexpr const char* kStatusOpName = "STATUS";

// Identifies a request for exactly-once retries: a client picks a random
// client_id once and numbers its requests 1, 2, 3, ...; a retry reuses the number.
struct RequestId {
  uint64_t client_id = 0;
  uint64_t request_number = 0;
};

inline bool operator==(const RequestId& a, const RequestId& b) {
  return a.client_id == b.client_id && a.request_number == b.request_number;
}

struct Request {
  RequestId id;
  std::string op_name;          // as sent: "GET", "PUT", or anything else
  std::string key_pattern;      // GET / DELETE: Python re pattern over key text
  std::string value_pattern;    // GET / DELETE: Python re pattern over value text
  std::vector<Pair> pairs;      // PUT / POST
  // GET pages through the matches in key order: at most `limit` pairs (0: no
  // limit but the space's reply limit), only keys after `after_key` ("": from
  // the first). The reply's `more` says whether more match after its last.
  uint32_t limit = 0;
  std::string after_key;
  // GET / TAKE / WATCH: when nothing matches (WATCH: no matching change after
  // after_seq), the primary holds the request up to this long and answers as
  // soon as something does (docs/PROTOCOL.md "Waiting requests").
  uint32_t wait_ms = 0;
  // WATCH: the changes after this log seq (0: after the committed position now).
  uint64_t after_seq = 0;
  // Set by the decoder when the pair list itself is malformed (a pair without
  // a key or a value); the space answers kMalformedRequest with this message.
  std::optional<std::string> pair_list_error;

  Op op() const { return OpFromName(op_name); }
};

// One committed write's effect on one pair (a WATCH reply's list).
struct Change {
  uint64_t seq = 0;    // the log seq of the write
  std::string op;      // "PUT", "POST", "DELETE", "TAKE", "UNDO"
  Pair pair;           // the pair stored, or the pair removed
  bool erased = false; // removed (DELETE, TAKE, or an UNDO of a PUT), not stored
  friend bool operator==(const Change&, const Change&) = default;
};

struct Reply {
  RequestId id;
  std::string op_name;                 // echoes the request's op name
  std::vector<Pair> pairs;             // GET / DELETE: matching pairs, by key text
  std::vector<Rejection> rejected;     // PUT / POST: pairs not used, with why
  // Set when the request failed as a whole. A GET/DELETE with a malformed
  // pattern answers an empty list with error kMalformedPattern saying why.
  std::optional<Error> error;
  uint32_t served_by = 0;              // node id of the primary that answered
  uint64_t term = 0;                   // that primary's term
  bool more = false;                   // GET with a limit: more pairs match after the last one
  std::vector<Change> changes;         // WATCH: matching changes after the request's position
  uint64_t position = 0;               // WATCH: the cursor to send next

  bool ok() const { return !error.has_value(); }
};

Request MakeGet(std::string key_pattern, std::string value_pattern);
Request MakeDelete(std::string key_pattern, std::string value_pattern);
Request MakePut(std::vector<Pair> pairs);
Request MakePost(std::vector<Pair> pairs);
Request MakeTake(std::string key_pattern, std::string value_pattern, uint32_t wait_ms = 0);
Request MakeWatch(std::string key_pattern, std::string value_pattern, uint64_t after_seq, uint32_t wait_ms);

}  // namespace ts
