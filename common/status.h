// Result values that cross module lines instead of exceptions (LevelDB's Status).
//
// An Error carries a kind a program can branch on and a message a person can
// read; Result<T> is either a T or an Error. Every module boundary in tuplestar
// (codec, pattern compiler, space, persistence) returns these, so a hostile
// input turns into a value the caller must look at, never an exception.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ts {

// The error kinds a client can see in a reply. Keep in step with
// schema/tuplestar.capnp (ErrorKind) and docs/PROTOCOL.md.
enum class ErrorKind {
  kMalformedRequest,   // bytes that are not a request, or a malformed pair list
  kMalformedPattern,   // a pattern Python's re would reject
  kPatternTooCostly,   // a pattern that hit the match limit on some subject
  kNotImplemented,     // an operation name the service does not know
  kTooLarge,           // a request or reply past a configured size limit
  kServiceRefused,     // the broker's client limit is reached
  kUnavailable,        // no primary within the broker's hold time
  kNotEnoughReplicas,  // too few backups in reach to acknowledge a write
  kInternal,           // a bug or an I/O failure on the server side
  kHistoryGone,        // WATCH: the position asked for is older than the kept change history
};

std::string_view ErrorKindName(ErrorKind kind);  // "malformed_request", ...

struct Error {
  ErrorKind kind;
  std::string message;
};

inline bool operator==(const Error& a, const Error& b) {
  return a.kind == b.kind && a.message == b.message;
}

// Status: success, or an Error.
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorKind::kInternal, {}};
  bool ok_ = true;
};

// Result<T>: a value, or an Error.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace ts
