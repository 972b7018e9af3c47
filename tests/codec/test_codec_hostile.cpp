// Hand-made hostile and odd frames: each decodes to a clear Error (or, for a
// pair without key/value, to a request carrying pair_list_error), never a crash.
#include <catch2/catch.hpp>

#include <capnp/any.h>
#include <sys/mman.h>

#include <cstring>

#include "tests/codec/codec_samples.h"

namespace ts {
namespace {

using Catch::Matchers::Contains;
using codec_test::FrameOf;

void RequireMalformed(const Result<Request>& result, const std::string& says) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::kMalformedRequest);
  CHECK_THAT(result.error().message, Contains(says));
}

void RequireMalformed(const Result<Reply>& result, const std::string& says) {
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == ErrorKind::kMalformedRequest);
  CHECK_THAT(result.error().message, Contains(says));
}

// A ClientRequest built by hand, header and id filled in.
wire::ClientRequest::Builder InitRequest(capnp::MessageBuilder& builder) {
  wire::ClientRequest::Builder request = capnp_frame::InitFrame<wire::ClientRequest>(builder);
  request.initId().setClientId(77);
  request.getId().setRequestNumber(5);
  request.setOp("PUT");
  return request;
}

// Little-endian 64-bit words into a frame.
std::string Words(std::initializer_list<uint64_t> words) {
  std::string frame;
  for (uint64_t word : words) {
    for (int byte = 0; byte < 8; ++byte) frame += static_cast<char>((word >> (8 * byte)) & 0xff);
  }
  return frame;
}

TEST_CASE("codec: empty, ragged and garbage frames are malformed requests", "[codec]") {
  RequireMalformed(DecodeRequest(""), "empty frame where a client request was expected");
  RequireMalformed(DecodeRequest("GET a b"), "not a whole number of 8-byte words");
  RequireMalformed(DecodeReply(std::string(13, 'x')), "expected a client reply");
  RequireMalformed(DecodeRequest(std::string(64, '\0')), "client request has 56 bytes after the end");
  RequireMalformed(DecodeRequest(std::string(64, '\xff')), "malformed client request");
  // A plausible segment table that claims more words than follow.
  RequireMalformed(DecodeRequest(Words({0x0000'0100'0000'0000})), "malformed client request");
}

TEST_CASE("codec: a frame over max_frame_bytes is refused unread with kTooLarge", "[codec]") {
  // The bytes sit on a page nobody may read: touching them would crash.
  const size_t page = 4096;
  void* unreadable = mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(unreadable != MAP_FAILED);
  DecodeLimits limits;
  limits.max_frame_bytes = 1024;
  const std::string_view frame(static_cast<const char*>(unreadable), page);
  Result<Request> request = DecodeRequest(frame, limits);
  Result<Reply> reply = DecodeReply(frame, limits);
  munmap(unreadable, page);
  REQUIRE_FALSE(request.ok());
  CHECK(request.error().kind == ErrorKind::kTooLarge);
  CHECK(request.error().message == "frame of 4096 bytes is over the 1024-byte frame limit; not read");
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().kind == ErrorKind::kTooLarge);

  // Exactly at the limit is fine.
  const std::string get = EncodeRequest(MakeGet("a", "b"));
  limits.max_frame_bytes = get.size();
  CHECK(DecodeRequest(get, limits).ok());
}

TEST_CASE("codec: bytes after the message are refused", "[codec]") {
  const std::string frame = EncodeRequest(MakeGet("a", "b")) + std::string(16, '\0');
  RequireMalformed(DecodeRequest(frame), "client request has 16 bytes after the end of its Cap'n Proto message");
}

TEST_CASE("codec: every truncation of a valid frame is an error", "[codec]") {
  const std::string frame = EncodeRequest(MakePut(codec_test::NumberedPairs(5)));
  for (size_t length = 0; length < frame.size(); ++length) {
    INFO("length " << length);
    Result<Request> decoded = DecodeRequest(std::string_view(frame).substr(0, length));
    REQUIRE_FALSE(decoded.ok());
    CHECK_FALSE(decoded.error().message.empty());
  }
}

TEST_CASE("codec: a foreign Cap'n Proto message is not a tuplestar frame", "[codec]") {
  capnp::MallocMessageBuilder builder;
  builder.initRoot<wire::RequestId>().setClientId(42);
  RequireMalformed(DecodeRequest(FrameOf(builder)),
                   "not a tuplestar frame: magic 0x0000002a, expected 0x52545354 (\"TSTR\")");
  Result<wire::FrameKind> peeked = capnp_frame::PeekFrameKind(FrameOf(builder));
  REQUIRE_FALSE(peeked.ok());
  CHECK_THAT(peeked.error().message, Contains("not a tuplestar frame"));
}

TEST_CASE("codec: a reply is not a request, and the reverse", "[codec]") {
  RequireMalformed(DecodeRequest(EncodeReply(Reply{})),
                   "tuplestar frame of kind client reply where a client request was expected");
  RequireMalformed(DecodeReply(EncodeRequest(MakeGet("a", "b"))),
                   "tuplestar frame of kind client request where a client reply was expected");
}

TEST_CASE("codec: a wrong wire version or frame kind is named", "[codec]") {
  capnp::MallocMessageBuilder future;
  InitRequest(future).setVersion(2);
  RequireMalformed(DecodeRequest(FrameOf(future)),
                   "tuplestar wire version 2 is not supported (this build speaks version 1)");

  capnp::MallocMessageBuilder kindless;
  InitRequest(kindless).setKind(wire::FrameKind::UNKNOWN);
  RequireMalformed(DecodeRequest(FrameOf(kindless)), "tuplestar frame has no kind (kind 0)");

  capnp::MallocMessageBuilder newer_kind;
  InitRequest(newer_kind).setKind(static_cast<wire::FrameKind>(77));
  RequireMalformed(DecodeRequest(FrameOf(newer_kind)), "kind #77 (unknown to this build)");
  Result<wire::FrameKind> peeked = capnp_frame::PeekFrameKind(FrameOf(newer_kind));
  REQUIRE_FALSE(peeked.ok());
  CHECK_THAT(peeked.error().message, Contains("#77"));
}

TEST_CASE("codec: a text without its NUL terminator is refused", "[codec]") {
  std::string frame = EncodeRequest(MakeGet("a", "b"));
  const size_t op = frame.find(std::string("GET\0", 4));
  REQUIRE(op != std::string::npos);
  frame[op + 3] = 'X';
  RequireMalformed(DecodeRequest(frame),
                   "malformed client request: Message contains text that is not NUL-terminated. (at op)");
}

TEST_CASE("codec: a decode error says where in the frame it happened", "[codec]") {
  std::string frame = EncodeRequest(MakePut(codec_test::NumberedPairs(3)));
  // Each pair's value is ("v", i, "x"): spoil the NUL after pair 2's "x".
  const size_t first_x = frame.find(std::string("x\0", 2));
  const size_t second_x = frame.find(std::string("x\0", 2), first_x + 1);
  REQUIRE(second_x != std::string::npos);
  frame[second_x + 1] = 'y';
  RequireMalformed(DecodeRequest(frame), "NUL-terminated. (at pair 2, value element 3)");
}

TEST_CASE("codec: traversal and nesting limits are enforced", "[codec]") {
  const std::string put = EncodeRequest(MakePut(codec_test::NumberedPairs(100)));
  DecodeLimits tight_traversal;
  tight_traversal.traversal_limit_words = 50;
  RequireMalformed(DecodeRequest(put, tight_traversal), "traversal limit");

  DecodeLimits shallow;
  shallow.nesting_limit = 2;  // request -> pairs -> pair -> key is deeper
  RequireMalformed(DecodeRequest(put, shallow), "too deeply-nested");
  CHECK(DecodeRequest(put).ok());
}

TEST_CASE("codec: a tiny frame claiming millions of empty pairs is cut off", "[codec]") {
  // Root ClientRequest (1 data word, 5 pointers); pairs -> a composite list
  // whose tag claims 2^23 zero-sized structs in zero words. Without the
  // frame-size traversal cap this would reserve 2^23 pairs (~400 MB).
  // `pairs_slot` is the pairs pointer's index: 4 in ClientRequest, 2 in ClientReply.
  auto frame_claiming = [](uint64_t element_count, uint64_t kind, int pairs_slot) {
    uint64_t pointers[5] = {0, 0, 0, 0, 0};
    // A list pointer to the tag word after the pointers: composite, 0 words.
    pointers[pairs_slot] = (0x0000'0007ull << 32) | (static_cast<uint64_t>(4 - pairs_slot) << 2) | 1;
    return Words({
        0x0000'0008'0000'0000,                     // 1 segment of 8 words
        0x0005'0001'0000'0000,                     // root: struct, 1 data word, 5 pointers
        0x0001'0000'5254'5354 | (kind << 32),      // magic TSTR, kind, version 1
        pointers[0], pointers[1], pointers[2], pointers[3], pointers[4],
        element_count << 2,                        // tag: element_count structs of 0 words
    });
  };
  RequireMalformed(DecodeRequest(frame_claiming(1u << 23, 1, 4)), "traversal limit");
  RequireMalformed(DecodeReply(frame_claiming(1u << 23, 2, 2)), "traversal limit");
  Result<Reply> few_replies = DecodeReply(frame_claiming(3, 2, 2));
  REQUIRE(few_replies.ok());
  CHECK(few_replies.value().pairs.size() == 3);

  // A few zero-sized pairs are legal Cap'n Proto (an older schema's structs):
  // they have neither key nor value.
  Result<Request> few = DecodeRequest(frame_claiming(3, 1, 4));
  REQUIRE(few.ok());
  CHECK(few.value().pair_list_error == "pair 1 of 3 has no key or value");
}

TEST_CASE("codec: a pair without key or value sets pair_list_error, keeping the id", "[codec]") {
  auto request_with = [](unsigned count, unsigned bad_index, bool key, bool value) {
    capnp::MallocMessageBuilder builder;
    auto pairs = InitRequest(builder).initPairs(count);
    for (unsigned i = 0; i < count; ++i) {
      if (i != bad_index || key) pairs[i].initKey(1).set(0, "k");
      if (i != bad_index || value) pairs[i].initValue(1).set(0, "v");
    }
    return DecodeRequest(FrameOf(builder));
  };
  Result<Request> no_value = request_with(5, 2, true, false);
  REQUIRE(no_value.ok());
  CHECK(no_value.value().pair_list_error == "pair 3 of 5 has no value");
  CHECK(no_value.value().pairs.empty());
  CHECK(no_value.value().id == RequestId{77, 5});
  CHECK(no_value.value().op_name == "PUT");

  Result<Request> no_key = request_with(1, 0, false, true);
  REQUIRE(no_key.ok());
  CHECK(no_key.value().pair_list_error == "pair 1 of 1 has no key");

  Result<Request> neither = request_with(4, 3, false, false);
  REQUIRE(neither.ok());
  CHECK(neither.value().pair_list_error == "pair 4 of 4 has no key or value");

  Result<Request> fine = request_with(4, 9, false, false);
  REQUIRE(fine.ok());
  CHECK_FALSE(fine.value().pair_list_error.has_value());
  CHECK(fine.value().pairs.size() == 4);
}

TEST_CASE("codec: empty key and value lists are pairs, not a pair list error", "[codec]") {
  capnp::MallocMessageBuilder builder;
  auto pair = InitRequest(builder).initPairs(1)[0];
  pair.initKey(0);
  pair.initValue(0);
  Result<Request> decoded = DecodeRequest(FrameOf(builder));
  REQUIRE(decoded.ok());
  CHECK_FALSE(decoded.value().pair_list_error.has_value());
  REQUIRE(decoded.value().pairs.size() == 1);
  CHECK(decoded.value().pairs[0].key.empty());
}

TEST_CASE("codec: a request with no fields set decodes to empty values", "[codec]") {
  capnp::MallocMessageBuilder builder;
  capnp_frame::InitFrame<wire::ClientRequest>(builder);
  Result<Request> decoded = DecodeRequest(FrameOf(builder));
  REQUIRE(decoded.ok());
  CHECK(decoded.value().op_name.empty());
  CHECK(decoded.value().op() == Op::kOther);
  CHECK(decoded.value().id == RequestId{0, 0});
  CHECK(decoded.value().pairs.empty());
}

TEST_CASE("codec: unknown enum values from a newer server decode to something sane", "[codec]") {
  capnp::MallocMessageBuilder builder;
  wire::ClientReply::Builder reply = capnp_frame::InitFrame<wire::ClientReply>(builder);
  reply.setOp("PUT");
  auto error = reply.initError();
  error.setKind(static_cast<wire::ErrorKind>(200));
  error.setMessage("quota exceeded");
  auto rejection = reply.initRejected(1)[0];
  rejection.initPair().initKey(1).set(0, "k");
  rejection.setReason(static_cast<wire::RejectReason>(99));

  Result<Reply> decoded = DecodeReply(FrameOf(builder));
  REQUIRE(decoded.ok());
  REQUIRE(decoded.value().error.has_value());
  CHECK(decoded.value().error->kind == ErrorKind::kInternal);
  CHECK(decoded.value().error->message ==
        "server sent error kind #200, unknown to this client: quota exceeded");
  REQUIRE(decoded.value().rejected.size() == 1);
  CHECK(decoded.value().rejected[0].reason == RejectReason::kMalformed);
  CHECK(decoded.value().rejected[0].pair.key == Tuple{"k"});
}

TEST_CASE("codec: a reply with fields this build does not know still decodes", "[codec]") {
  // A newer server's ClientReply: more data words and pointers than ours.
  capnp::MallocMessageBuilder builder;
  capnp::AnyStruct::Builder bigger = builder.initRoot<capnp::AnyPointer>().initAsAnyStruct(6, 14);
  wire::ClientReply::Builder reply = bigger.as<wire::ClientReply>();
  reply.setMagic(wire::FRAME_MAGIC);
  reply.setKind(wire::FrameKind::CLIENT_REPLY);
  reply.setVersion(wire::WIRE_VERSION);
  reply.setOp("GET");
  reply.setTerm(12);
  reply.initPairs(1)[0].initKey(1).set(0, "k");
  bigger.getPointerSection()[12].setAs<capnp::Text>("a field from the future");
  bigger.getDataSection()[40] = 0xab;

  Result<Reply> decoded = DecodeReply(FrameOf(builder));
  INFO((decoded.ok() ? "" : decoded.error().message));
  REQUIRE(decoded.ok());
  CHECK(decoded.value().term == 12);
  CHECK(decoded.value().op_name == "GET");
  REQUIRE(decoded.value().pairs.size() == 1);
  CHECK(decoded.value().pairs[0].key == Tuple{"k"});
}

TEST_CASE("codec: a frame split over many segments decodes", "[codec]") {
  // A one-word first segment with fixed-size growth forces far pointers.
  capnp::MallocMessageBuilder builder(1, capnp::AllocationStrategy::FIXED_SIZE);
  wire::ClientRequest::Builder request = InitRequest(builder);
  auto pairs = request.initPairs(3);
  for (unsigned i = 0; i < 3; ++i) {
    pairs[i].initKey(1).set(0, "k" + std::to_string(i));
    pairs[i].initValue(2).set(1, "v");
  }
  const std::string frame = FrameOf(builder);
  REQUIRE(static_cast<unsigned char>(frame[0]) > 0);  // segment count - 1
  Result<Request> decoded = DecodeRequest(frame);
  INFO((decoded.ok() ? "" : decoded.error().message));
  REQUIRE(decoded.ok());
  REQUIRE(decoded.value().pairs.size() == 3);
  CHECK(decoded.value().pairs[2].key == Tuple{"k2"});
  CHECK(decoded.value().pairs[2].value == Tuple{"", "v"});
}

TEST_CASE("codec: decoding reads from an unaligned buffer", "[codec]") {
  const std::string frame = EncodeRequest(MakePut(codec_test::NumberedPairs(40)));
  std::string shifted = "x" + frame;
  Result<Request> decoded = DecodeRequest(std::string_view(shifted).substr(1));
  REQUIRE(decoded.ok());
  CHECK(decoded.value().pairs.size() == 40);
}

}  // namespace
}  // namespace ts
