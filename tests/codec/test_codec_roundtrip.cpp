// Round trips: every request and reply shape survives Encode -> Decode exactly.
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <set>

#include "tests/codec/codec_samples.h"

namespace ts {
namespace {

using codec_test::kAllErrorKinds;
using codec_test::kAllRejectReasons;

Request RoundTrip(const Request& request) {
  Result<Request> decoded = DecodeRequest(EncodeRequest(request));
  INFO((decoded.ok() ? "" : decoded.error().message));
  REQUIRE(decoded.ok());
  return decoded.value();
}

Reply RoundTrip(const Reply& reply) {
  Result<Reply> decoded = DecodeReply(EncodeReply(reply));
  INFO((decoded.ok() ? "" : decoded.error().message));
  REQUIRE(decoded.ok());
  return decoded.value();
}

TEST_CASE("codec: every sample request round-trips field for field", "[codec]") {
  for (const Request& request : codec_test::SampleRequests()) {
    INFO("op " << request.op_name << ", " << request.pairs.size() << " pairs");
    Request decoded = RoundTrip(request);
    CHECK(codec_test::RequestDifference(request, decoded) == "");
    CHECK_FALSE(decoded.pair_list_error.has_value());
  }
}

TEST_CASE("codec: the op name is carried as sent, and known ops map to Op", "[codec]") {
  CHECK(RoundTrip(MakeGet("a", "b")).op() == Op::kGet);
  CHECK(RoundTrip(MakePut({})).op() == Op::kPut);
  CHECK(RoundTrip(MakePost({})).op() == Op::kPost);
  CHECK(RoundTrip(MakeDelete("a", "b")).op() == Op::kDelete);
  Request unknown = MakeGet("a", "b");
  unknown.op_name = "RENAME";
  Request decoded = RoundTrip(unknown);
  CHECK(decoded.op() == Op::kOther);
  CHECK(decoded.op_name == "RENAME");
}

TEST_CASE("codec: every sample reply round-trips field for field", "[codec]") {
  for (const Reply& reply : codec_test::SampleReplies()) {
    INFO("op " << reply.op_name << ", error " << (reply.error ? reply.error->message : "none"));
    CHECK(codec_test::ReplyDifference(reply, RoundTrip(reply)) == "");
  }
}

TEST_CASE("codec: every error kind and every reject reason keeps its identity", "[codec]") {
  // The lists name every enumerator: the last one is the highest value.
  REQUIRE(static_cast<size_t>(ErrorKind::kHistoryGone) + 1 == kAllErrorKinds.size());
  REQUIRE(static_cast<size_t>(RejectReason::kTooLarge) + 1 == kAllRejectReasons.size());
  std::set<std::string_view> names;
  for (ErrorKind kind : kAllErrorKinds) {
    Reply reply;
    reply.error = Error{kind, "why"};
    Reply decoded = RoundTrip(reply);
    REQUIRE(decoded.error.has_value());
    CHECK(decoded.error->kind == kind);
    CHECK_FALSE(decoded.ok());
    names.insert(ErrorKindName(kind));
  }
  CHECK(names.size() == kAllErrorKinds.size());
  for (RejectReason reason : kAllRejectReasons) {
    Reply reply;
    reply.rejected.push_back(Rejection{codec_test::MakePair({"k"}, {"v"}), reason});
    Reply decoded = RoundTrip(reply);
    REQUIRE(decoded.rejected.size() == 1);
    CHECK(decoded.rejected[0].reason == reason);
  }
}

TEST_CASE("codec: an ok reply has no error after the round trip", "[codec]") {
  Reply reply;
  reply.op_name = "PUT";
  Reply decoded = RoundTrip(reply);
  CHECK(decoded.ok());
  CHECK(decoded.pairs.empty());
  CHECK(decoded.rejected.empty());
}

TEST_CASE("codec: large lists and long elements round-trip", "[codec]") {
  Request put = MakePut(codec_test::NumberedPairs(10000));
  put.pairs.push_back(codec_test::MakePair(Tuple(1000, "e"), {std::string(1 << 20, 'v')}));
  CHECK(codec_test::RequestDifference(put, RoundTrip(put)) == "");

  Reply get;
  get.op_name = "GET";
  get.pairs = codec_test::NumberedPairs(20000);
  for (size_t i = 0; i < 5000; ++i) {
    get.rejected.push_back(Rejection{get.pairs[i], kAllRejectReasons[i % kAllRejectReasons.size()]});
  }
  CHECK(codec_test::ReplyDifference(get, RoundTrip(get)) == "");
}

TEST_CASE("codec: a frame starts with the segment table, then the TSTR header", "[codec]") {
  const std::string frame = EncodeRequest(MakeGet("a", "b"));
  REQUIRE(frame.size() % 8 == 0);
  REQUIRE(frame.size() >= 24);
  CHECK(frame.substr(0, 4) == std::string("\0\0\0\0", 4));  // one segment
  CHECK(frame.substr(16, 4) == "TSTR");                      // magic, first data word
  CHECK(static_cast<unsigned char>(frame[20]) == 1);          // kind clientRequest
  CHECK(static_cast<unsigned char>(frame[22]) == 1);          // wire version 1
  CHECK(static_cast<unsigned char>(EncodeReply(Reply{})[20]) == 2);  // kind clientReply
}

TEST_CASE("codec: encoding is deterministic and fits one segment", "[codec]") {
  const Request put = MakePut(codec_test::NumberedPairs(10));
  CHECK(EncodeRequest(put) == EncodeRequest(put));
  // The builder's first segment is sized from the message, so nothing spills
  // into a second segment: the table says one segment holding every word.
  auto single_segment = [](const std::string& frame) {
    uint32_t segments_minus_one = 0, first_words = 0;
    std::memcpy(&segments_minus_one, frame.data(), 4);
    std::memcpy(&first_words, frame.data() + 4, 4);
    return segments_minus_one == 0 && 8 + 8 * size_t{first_words} == frame.size();
  };
  for (const Request& request : codec_test::SampleRequests()) {
    CHECK(single_segment(EncodeRequest(request)));
  }
  for (const Reply& reply : codec_test::SampleReplies()) CHECK(single_segment(EncodeReply(reply)));
  // 10 pairs of 2 + 3 one-character elements: 12 words per pair, ~1 KB in all.
  CHECK(EncodeRequest(put).size() <= 1100);
  // A GET: the header words, the id, three texts, the page's limit word
  // and after-key pointer, and the wait's cursor word (WATCH's afterSeq).
  CHECK(EncodeRequest(MakeGet("k,.*", ".*")).size() <= 136);
}

TEST_CASE("codec: PeekFrameKind names each client frame", "[codec]") {
  Result<wire::FrameKind> request_kind = capnp_frame::PeekFrameKind(EncodeRequest(MakeGet("a", "b")));
  REQUIRE(request_kind.ok());
  CHECK(request_kind.value() == wire::FrameKind::CLIENT_REQUEST);
  Result<wire::FrameKind> reply_kind = capnp_frame::PeekFrameKind(EncodeReply(Reply{}));
  REQUIRE(reply_kind.ok());
  CHECK(reply_kind.value() == wire::FrameKind::CLIENT_REPLY);
  CHECK(capnp_frame::FrameKindName(wire::FrameKind::CLIENT_REQUEST) == "client request");
}

}  // namespace
}  // namespace ts

namespace ts {
namespace {

TEST_CASE("codec: TAKE and WATCH carry their wait, cursor, changes and position", "[codec]") {
  Request take = RoundTrip(MakeTake("q,.*", "x", 1'500));
  CHECK(take.op() == Op::kTake);
  CHECK(take.wait_ms == 1'500);
  Request watch = RoundTrip(MakeWatch("user,.*", ".*", 12'345'678'901ull, 30'000));
  CHECK(watch.op() == Op::kWatch);
  CHECK(watch.after_seq == 12'345'678'901ull);
  CHECK(watch.wait_ms == 30'000);
  CHECK(watch.key_pattern == "user,.*");

  Reply reply;
  reply.op_name = "WATCH";
  reply.position = 99;
  reply.changes = {Change{97, "PUT", Pair{{"user", "1"}, {"ann"}}, false},
                   Change{99, "TAKE", Pair{{"user", "2"}, {"bob"}}, true}};
  Reply decoded = RoundTrip(reply);
  CHECK(decoded.position == 99);
  CHECK(decoded.changes == reply.changes);
  CHECK(RoundTrip(Reply{}).changes.empty());
}

}  // namespace
}  // namespace ts

namespace ts {

TEST_CASE("codec: TimingKey is the routing id, a NUL, then client id:request number", "[codec]") {
  using namespace std::string_literals;
  CHECK(TimingKey("peer"s, RequestId{7, 42}) == "peer\0"s "7:42");
  CHECK(TimingKey(""s, RequestId{0, 0}) == "\0"s "0:0");
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  CHECK(TimingKey("a\0b"s, RequestId{max, max}) == "a\0b\0"s + std::to_string(max) + ":" + std::to_string(max));
}

}  // namespace ts
