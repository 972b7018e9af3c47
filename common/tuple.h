// Tuples, pairs and their text form (SPEC section 1).
//
// A tuple is n >= 1 non-empty ASCII alphanumeric elements; its text form joins
// them with ','. Since elements never contain ',', the text form is
// unambiguous, and it is what patterns match, the store keys on, and the CLI
// prints and parses. A Tuple value may hold anything (a hostile client can send
// anything); IsWellFormedTuple says whether it obeys the rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ts {

using Tuple = std::vector<std::string>;

struct Pair {
  Tuple key;
  Tuple value;
};

bool operator==(const Pair& a, const Pair& b);

// Why a pair of a PUT or POST was not used. Keep in step with the schema.
enum class RejectReason {
  kMalformed,           // key or value is not a well-formed tuple
  kKeyPresent,          // PUT: the key is already in the space
  kKeyAbsent,           // POST: the key is not in the space
  kRepeatedInRequest,   // the same key appears earlier in this request
  kTooLarge,            // a tuple past the elements-per-tuple or bytes-per-element limit
};

std::string_view RejectReasonName(RejectReason reason);  // "key_present", ...

struct Rejection {
  Pair pair;
  RejectReason reason;
};

bool operator==(const Rejection& a, const Rejection& b);

inline bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// True when every element is non-empty [A-Za-z0-9]+ and there is at least one.
bool IsWellFormedTuple(const Tuple& tuple);

// "user,42" for {"user","42"}. Defined for any tuple (malformed ones too, for
// display), but only well-formed tuples round-trip through ParseTupleText.
std::string TupleText(const Tuple& tuple);

// Splits on ',' without validating: "a,,b" gives {"a","","b"}.
Tuple SplitTupleText(std::string_view text);

// True when text is the text form of a well-formed tuple: [A-Za-z0-9]+(,[A-Za-z0-9]+)*
bool IsWellFormedTupleText(std::string_view text);

}  // namespace ts
