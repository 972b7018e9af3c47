// Hostile and stray frames: each is an Error naming the channel and what was
// wrong, never a crash. Then thousands of mutated frames per channel, each of
// which must decode to a value or an Error (and, if it decodes, re-encode to
// a frame that decodes to the same value). Deterministic seed; TS_FUZZ_SEED
// overrides it.
#include <catch2/catch.hpp>

#include <capnp/message.h>

#include <cstdlib>
#include <cstring>
#include <random>

#include "schema/cluster_codec.h"
#include "schema/capnp_frame.h"
#include "schema/cluster.capnp.h"
#include "tests/cluster_wire/cluster_samples.h"

namespace ts::cluster_wire_test {
namespace {

namespace cw = ts::wire::cluster;

// In a single-segment frame: 8 bytes of segment table, 8 of root pointer, then
// the root's data section: magic, channel, version, then the union tag.
constexpr size_t kChannelOffset = 20;
constexpr size_t kVersionOffset = 22;
constexpr size_t kUnionTagOffset = 24;

void Put16(std::string& frame, size_t offset, uint16_t value) { std::memcpy(&frame[offset], &value, 2); }
uint16_t Get16(const std::string& frame, size_t offset) {
  uint16_t value;
  std::memcpy(&value, &frame[offset], 2);
  return value;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("empty, ragged and random frames are errors naming the channel", "[cluster_wire]") {
  auto empty = DecodePeerMessage("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().kind == ErrorKind::kMalformedRequest);
  CHECK(Contains(empty.error().message, "peer frame"));

  auto ragged = DecodeNodeToBroker("1234567");
  REQUIRE_FALSE(ragged.ok());
  CHECK(Contains(ragged.error().message, "node-to-broker frame"));

  auto noise = DecodeBrokerToNode(std::string(64, '\x5a'));
  REQUIRE_FALSE(noise.ok());
  CHECK(Contains(noise.error().message, "broker-to-node frame"));
}

TEST_CASE("a client frame on a cluster socket is named as a client frame", "[cluster_wire]") {
  auto decoded = DecodePeerMessage(EncodeRequest(MakeGet(".*", ".*")));
  REQUIRE_FALSE(decoded.ok());
  CHECK(Contains(decoded.error().message, "client frame"));
  CHECK(Contains(decoded.error().message, "peer frame was expected"));
}

TEST_CASE("a frame of another channel is refused, saying which it is", "[cluster_wire]") {
  const std::string up = EncodeNodeToBroker(Registration{1, 2, {1, 1}, {1}, 1});
  auto as_peer = DecodePeerMessage(up);
  REQUIRE_FALSE(as_peer.ok());
  CHECK(as_peer.error().message == "a node-to-broker frame where a peer frame was expected");
  auto as_down = DecodeBrokerToNode(up);
  REQUIRE_FALSE(as_down.ok());
  CHECK(Contains(as_down.error().message, "where a broker-to-node frame was expected"));
}

TEST_CASE("an unknown wire version or channel is refused", "[cluster_wire]") {
  std::string frame = EncodePeerMessage(Shutdown{1, 2});
  REQUIRE(Get16(frame, kVersionOffset) == cw::CLUSTER_WIRE_VERSION);
  Put16(frame, kVersionOffset, 7);
  auto versioned = DecodePeerMessage(frame);
  REQUIRE_FALSE(versioned.ok());
  CHECK(Contains(versioned.error().message, "cluster wire version 7 is not supported"));

  frame = EncodePeerMessage(Shutdown{1, 2});
  REQUIRE(Get16(frame, kChannelOffset) == static_cast<uint16_t>(cw::Channel::PEER));
  Put16(frame, kChannelOffset, 40);
  auto channelled = DecodePeerMessage(frame);
  REQUIRE_FALSE(channelled.ok());
  CHECK(Contains(channelled.error().message, "channel #40"));
}

TEST_CASE("an unknown message in the union is refused as from a newer sender", "[cluster_wire]") {
  std::string frame = EncodePeerMessage(Shutdown{1, 2});
  REQUIRE(Get16(frame, kUnionTagOffset) == static_cast<uint16_t>(cw::PeerFrame::SHUTDOWN));
  Put16(frame, kUnionTagOffset, 99);
  auto decoded = DecodePeerMessage(frame);
  REQUIRE_FALSE(decoded.ok());
  CHECK(Contains(decoded.error().message, "message #99, unknown to this build"));

  std::string down = EncodeBrokerToNode(ShutdownCommand{});
  Put16(down, kUnionTagOffset, 5);
  auto decoded_down = DecodeBrokerToNode(down);
  REQUIRE_FALSE(decoded_down.ok());
  CHECK(Contains(decoded_down.error().message, "message #5"));
}

TEST_CASE("an unknown role is refused, naming the field", "[cluster_wire]") {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<cw::PeerFrame>();
  root.setMagic(cw::CLUSTER_MAGIC);
  root.setChannel(cw::Channel::PEER);
  root.setVersion(cw::CLUSTER_WIRE_VERSION);
  root.initHeartbeat().setRole(static_cast<cw::Role>(12));
  auto decoded = DecodePeerMessage(capnp_frame::EncodeFrame(builder));
  REQUIRE_FALSE(decoded.ok());
  CHECK(Contains(decoded.error().message, "role #12 is unknown"));
  CHECK(Contains(decoded.error().message, "(at heartbeat)"));
  CHECK(Contains(decoded.error().message, "malformed peer frame"));
}

TEST_CASE("an embedded reply that does not decode is refused, naming the entry", "[cluster_wire]") {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<cw::PeerFrame>();
  root.setMagic(cw::CLUSTER_MAGIC);
  root.setChannel(cw::Channel::PEER);
  root.setVersion(cw::CLUSTER_WIRE_VERSION);
  auto entries = root.initWriteBatch().initEntries(3);
  const std::string junk = "eight by";
  entries[2].setReply(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(junk.data()), junk.size()));
  auto decoded = DecodePeerMessage(capnp_frame::EncodeFrame(builder));
  REQUIRE_FALSE(decoded.ok());
  CHECK(Contains(decoded.error().message, "embedded client reply"));
  CHECK(Contains(decoded.error().message, "entry 3"));
}

TEST_CASE("a frame over the limit is refused unread, trailing bytes are refused", "[cluster_wire]") {
  DecodeLimits small;
  small.max_frame_bytes = 64;
  SnapshotChunk chunk{1, 1, 1, 0, {{"k", std::string(200, 'v')}}};
  auto big = DecodePeerMessage(EncodePeerMessage(chunk), small);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == ErrorKind::kTooLarge);

  auto trailing = DecodePeerMessage(EncodePeerMessage(Shutdown{1, 1}) + std::string(8, '\0'));
  REQUIRE_FALSE(trailing.ok());
  CHECK(Contains(trailing.error().message, "peer frame has 8 bytes after the end"));
}

// ---- mutation fuzz ----------------------------------------------------------

constexpr uint64_t kDefaultSeed = 0x636c7573746572;  // "cluster"
constexpr int kMutationsPerChannel = 20000;

uint64_t FuzzSeed() {
  const char* text = std::getenv("TS_FUZZ_SEED");
  return text ? std::strtoull(text, nullptr, 0) : kDefaultSeed;
}

std::string Mutate(std::string frame, std::mt19937_64& random) {
  auto below = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(random() % n); };
  switch (below(6)) {
    case 0:  // flip bits
      for (size_t n = 1 + below(6); n > 0 && !frame.empty(); --n) frame[below(frame.size())] ^= char(1u << below(8));
      break;
    case 1:  // boundary bytes
      for (size_t n = 1 + below(4); n > 0 && !frame.empty(); --n) {
        static const char kValues[] = {'\0', '\x01', '\x7f', '\x80', '\xfe', '\xff'};
        frame[below(frame.size())] = kValues[below(sizeof kValues)];
      }
      break;
    case 2:  // truncate, at a word boundary or not
      frame.resize(below(frame.size() + 1));
      break;
    case 3: {  // overwrite a word with something pointer-like
      if (frame.size() >= 8) {
        const uint64_t word = (random() & 0xffffffff00000003ULL) | ((below(32) & 0x3fffffff) << 2);
        std::memcpy(&frame[below(frame.size() / 8) * 8], &word, 8);
      }
      break;
    }
    case 4:  // grow the segment size or count
      if (frame.size() >= 8) frame[below(8)] = static_cast<char>(random());
      break;
    default:  // append junk words
      for (size_t n = 1 + below(3); n > 0; --n) frame += std::string(8, static_cast<char>(random()));
      break;
  }
  return frame;
}

template <class Message, class Encode, class Decode>
void FuzzChannel(const std::vector<Message>& samples, Encode encode, Decode decode, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> corpus;
  for (const Message& m : samples) corpus.push_back(encode(m));
  int decoded_ok = 0;
  for (int i = 0; i < kMutationsPerChannel; ++i) {
    std::string frame = corpus[random() % corpus.size()];
    for (int rounds = 1 + static_cast<int>(random() % 3); rounds > 0; --rounds) frame = Mutate(frame, random);
    auto result = decode(frame);
    if (result.ok()) {
      ++decoded_ok;
      auto again = decode(encode(result.value()));
      if (!again.ok() || Dump(again.value()) != Dump(result.value())) {
        FAIL("seed " << seed << " iteration " << i << ": re-encoding a decoded mutant changed it");
      }
    } else {
      const Error& error = result.error();
      if ((error.kind != ErrorKind::kMalformedRequest && error.kind != ErrorKind::kTooLarge) ||
          error.message.empty()) {
        FAIL("seed " << seed << " iteration " << i << ": odd error " << error.message);
      }
    }
  }
  // Some mutants land in payload bytes and still decode; most do not. Either is fine;
  // this only shows the fuzz reached both paths.
  CHECK(decoded_ok > 0);
  CHECK(decoded_ok < kMutationsPerChannel);
}

TEST_CASE("mutated peer frames never crash the decoder", "[cluster_wire][fuzz]") {
  FuzzChannel(SamplePeerMessages(), EncodePeerMessage,
              [](const std::string& f) { return DecodePeerMessage(f); }, FuzzSeed());
}

TEST_CASE("mutated node-to-broker frames never crash the decoder", "[cluster_wire][fuzz]") {
  FuzzChannel(SampleNodeToBroker(), EncodeNodeToBroker,
              [](const std::string& f) { return DecodeNodeToBroker(f); }, FuzzSeed() + 1);
}

TEST_CASE("mutated broker-to-node frames never crash the decoder", "[cluster_wire][fuzz]") {
  FuzzChannel(SampleBrokerToNode(), EncodeBrokerToNode,
              [](const std::string& f) { return DecodeBrokerToNode(f); }, FuzzSeed() + 2);
}

}  // namespace
}  // namespace ts::cluster_wire_test
