// Sample client messages and comparisons shared by the codec tests.
//
// Samples cover every op, every error kind, every reject reason, empty and
// large lists, odd strings (empty elements, commas, NUL and high bytes inside
// elements) and the largest numbers; SameRequest/SameReply compare every field.
#pragma once

#include <capnp/message.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "schema/capnp_frame.h"
#include "schema/codec.h"
#include "schema/messages.h"

namespace ts::codec_test {

inline const std::vector<ErrorKind> kAllErrorKinds = {
    ErrorKind::kMalformedRequest, ErrorKind::kMalformedPattern, ErrorKind::kPatternTooCostly,
    ErrorKind::kNotImplemented,   ErrorKind::kTooLarge,         ErrorKind::kServiceRefused,
    ErrorKind::kUnavailable,      ErrorKind::kNotEnoughReplicas, ErrorKind::kInternal,
    ErrorKind::kHistoryGone,
};

inline const std::vector<RejectReason> kAllRejectReasons = {
    RejectReason::kMalformed, RejectReason::kKeyPresent, RejectReason::kKeyAbsent,
    RejectReason::kRepeatedInRequest, RejectReason::kTooLarge,
};

// Elements a hostile or careless client may send; the codec must carry them
// byte for byte (judging them is the space's job).
inline const std::vector<std::string> kOddElements = {
    "", ",", "a,b", " ", "user 42", std::string("nul\0inside", 10), std::string(1, '\0'),
    "\xff\x80\x01", "\n\r\t", "(?P<n>a+)", std::string(300, 'z'),
};

inline Pair MakePair(Tuple key, Tuple value) { return Pair{std::move(key), std::move(value)}; }

// n pairs key = ("k", i), value = ("v", i, "x").
inline std::vector<Pair> NumberedPairs(size_t n) {
  std::vector<Pair> pairs;
  pairs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    pairs.push_back(MakePair({"k", std::to_string(i)}, {"v", std::to_string(i), "x"}));
  }
  return pairs;
}

inline std::vector<Pair> OddPairs() {
  std::vector<Pair> pairs;
  for (const std::string& element : kOddElements) {
    pairs.push_back(MakePair({element}, {"ok", element, element}));
  }
  pairs.push_back(MakePair({}, {}));            // present but empty tuples
  pairs.push_back(MakePair({"", "", ""}, {""}));  // empty elements only
  return pairs;
}

inline RequestId MaxId() {
  return RequestId{std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max()};
}

// Every request shape the tests round-trip.
inline std::vector<Request> SampleRequests() {
  std::vector<Request> requests;
  auto add = [&](Request request, RequestId id) {
    request.id = id;
    requests.push_back(std::move(request));
  };
  add(MakeGet("user,.*", ".*"), {1, 1});
  add(MakeGet("", ""), {0, 0});
  add(MakeGet("(?P<a>k),(?P=a)", "v,\\d+,x"), MaxId());
  add(MakeDelete("k,1[0-9]", "v,.*"), {42, 7});
  add(MakeDelete("", ""), MaxId());
  add(MakePut(NumberedPairs(10)), {7, 3});
  add(MakePut({}), {7, 4});
  add(MakePut(OddPairs()), MaxId());
  add(MakePost(NumberedPairs(1)), {9, 1});
  add(MakePost(OddPairs()), {9, 2});
  for (const char* op : {"", "FOO", "get", "GET ", "DELETE,PUT", "SHUTDOWN", "\x01\x02"}) {
    Request other = MakeGet(".*", ".*");
    other.op_name = op;
    other.pairs = NumberedPairs(2);
    add(std::move(other), {5, 5});
  }
  Request nul_op = MakePut(NumberedPairs(1));
  nul_op.op_name = std::string("PU\0T", 4);
  add(std::move(nul_op), {5, 6});
  Request long_op = MakeGet("a", "b");
  long_op.op_name = std::string(1000, 'X');
  add(std::move(long_op), {5, 7});
  Request page = MakeGet("job,.*", ".*");
  page.limit = std::numeric_limits<uint32_t>::max();
  page.after_key = "job,41";
  add(std::move(page), {5, 8});
  return requests;
}

// Every reply shape the tests round-trip: each op, each error kind, each reason.
inline std::vector<Reply> SampleReplies() {
  std::vector<Reply> replies;
  Reply get;
  get.id = {1, 1};
  get.op_name = "GET";
  get.pairs = NumberedPairs(10);
  get.served_by = 2;
  get.term = 3;
  replies.push_back(get);

  Reply empty;
  empty.op_name = "DELETE";
  replies.push_back(empty);

  Reply max_numbers = get;
  max_numbers.id = MaxId();
  max_numbers.served_by = std::numeric_limits<uint32_t>::max();
  max_numbers.term = std::numeric_limits<uint64_t>::max();
  max_numbers.pairs = OddPairs();
  replies.push_back(max_numbers);

  Reply page = get;
  page.more = true;
  replies.push_back(page);

  Reply put;
  put.id = {7, 3};
  put.op_name = "PUT";
  put.served_by = 1;
  put.term = 1;
  for (RejectReason reason : kAllRejectReasons) {
    for (const Pair& pair : OddPairs()) put.rejected.push_back(Rejection{pair, reason});
  }
  replies.push_back(put);

  for (ErrorKind kind : kAllErrorKinds) {
    Reply failed;
    failed.id = {11, static_cast<uint64_t>(kind)};
    failed.op_name = kind == ErrorKind::kNotImplemented ? "FROB" : "GET";
    failed.error = Error{kind, std::string(ErrorKindName(kind)) + ": details, with commas"};
    failed.served_by = 3;
    failed.term = 9;
    replies.push_back(failed);
  }
  Reply error_with_empty_message;
  error_with_empty_message.op_name = "GET";
  error_with_empty_message.error = Error{ErrorKind::kMalformedPattern, ""};
  replies.push_back(error_with_empty_message);

  Reply mixed = put;  // lists and error together (the space never sends this, the wire allows it)
  mixed.pairs = NumberedPairs(3);
  mixed.error = Error{ErrorKind::kInternal, std::string("odd\0message", 11)};
  replies.push_back(mixed);
  return replies;
}

// Empty when equal, else the first field that differs.
inline std::string RequestDifference(const Request& a, const Request& b) {
  if (!(a.id == b.id)) return "id";
  if (a.op_name != b.op_name) return "op_name";
  if (a.key_pattern != b.key_pattern) return "key_pattern";
  if (a.value_pattern != b.value_pattern) return "value_pattern";
  if (a.pairs != b.pairs) return "pairs";
  if (a.pair_list_error != b.pair_list_error) return "pair_list_error";
  if (a.limit != b.limit) return "limit";
  if (a.after_key != b.after_key) return "after_key";
  return "";
}

inline std::string ReplyDifference(const Reply& a, const Reply& b) {
  if (!(a.id == b.id)) return "id";
  if (a.op_name != b.op_name) return "op_name";
  if (a.pairs != b.pairs) return "pairs";
  if (a.rejected != b.rejected) return "rejected";
  if (a.error.has_value() != b.error.has_value()) return "error presence";
  if (a.error && !(*a.error == *b.error)) return "error";
  if (a.served_by != b.served_by) return "served_by";
  if (a.term != b.term) return "term";
  if (a.more != b.more) return "more";
  return "";
}

// The bytes of a hand-built message, as a socket would deliver them.
inline std::string FrameOf(capnp::MessageBuilder& builder) { return capnp_frame::EncodeFrame(builder); }

}  // namespace ts::codec_test
