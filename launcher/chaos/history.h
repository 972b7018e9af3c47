// A chaos history: what concurrent clients asked of the cluster and what they
// were told, one JSON object per line (JSON Lines), in the order written.
//
// Every operation is two lines of the same process: an "invoke" written just
// before the request is sent, then its completion: "ok" (the service answered
// without error), "fail" (the service answered an error that proves nothing
// was applied) or "unknown" (no answer in time, or an error after which the
// write may or may not have been applied). A process runs one operation at a
// time; after an unknown, the recorder continues as a new process, as Jepsen
// does, since the old request may still take effect.
//
// Fields (docs/OPERATIONS.md "Chaos histories"):
//   process  integer            type  "invoke"|"ok"|"fail"|"unknown"
//   f        "put"|"post"|"get"|"delete"
//   key      exact key text (exact-key operations)
//   pattern  a key regex (regex GET/DELETE), with keys = the keys it covers
//   value    the written value (put/post)
//   result   ok put: "inserted"|"key_present"; ok post: "updated"|"key_absent";
//            ok get/delete: [[key, value], ...] the pairs returned
//   error    why (fail/unknown)        node, term  who served (ok)
//   time_ns  CLOCK_MONOTONIC nanoseconds
// GET and DELETE always use the value pattern ".*".
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ts::chaos {

enum class EventType { kInvoke, kOk, kFail, kUnknown };
enum class Fn { kPut, kPost, kGet, kDelete };

std::string_view EventTypeName(EventType type);  // "invoke", ...
std::string_view FnName(Fn f);                   // "put", ...

using KeyValue = std::pair<std::string, std::string>;

// One line of the history file.
struct HistoryEvent {
  uint64_t process = 0;
  EventType type = EventType::kInvoke;
  Fn f = Fn::kGet;
  std::string key;                // exact-key operations
  std::string pattern;            // regex operations ...
  std::vector<std::string> keys;  // ... and the keys that regex covers
  std::string value;              // put/post
  std::string outcome;            // ok put/post: "inserted", "key_present", "updated", "key_absent"
  std::vector<KeyValue> result;   // ok get/delete
  std::string error;              // fail/unknown
  uint32_t node = 0;              // ok: the primary that served it
  uint64_t term = 0;
  int64_t time_ns = 0;
};

// The event as one JSON line (no newline).
std::string FormatEvent(const HistoryEvent& event);
// One line back; the error names the field that is missing or wrong.
Result<HistoryEvent> ParseEvent(std::string_view line);

enum class Outcome { kOk, kFail, kUnknown };

// Never completed: an unknown operation may take effect at any time after
// its invoke, or never.
inline constexpr int64_t kNeverCompleted = std::numeric_limits<int64_t>::max();

// An invoke and its completion.
struct Operation {
  uint64_t process = 0;
  Fn f = Fn::kGet;
  std::string key;                // exact-key operation; empty for a regex one
  std::string pattern;
  std::vector<std::string> keys;
  std::string value;
  Outcome outcome = Outcome::kUnknown;
  std::string result_word;        // ok put/post
  std::vector<KeyValue> result;   // ok get/delete
  std::string error;
  uint32_t node = 0;
  uint64_t term = 0;
  int64_t invoke_ns = 0;
  int64_t complete_ns = kNeverCompleted;  // unknown: kNeverCompleted
  size_t invoke_line = 0;                 // 1-based lines in the file
  size_t complete_line = 0;               // 0: no completion line (the recorder was killed)
  std::string invoke_text;                // the lines as read
  std::string complete_text;

  bool is_write() const { return f == Fn::kPut || f == Fn::kPost; }
  bool is_regex() const { return key.empty(); }
};

struct History {
  std::vector<Operation> ops;  // in invoke order of the file
};

// Pairs each invoke with its process's next completion. Errors are
// "NAME:LINE: what is wrong". An invoke left without a completion at the end
// counts as unknown.
Result<History> ParseHistory(std::string_view text, const std::string& name);
Result<History> ReadHistory(const std::string& path);

}  // namespace ts::chaos
