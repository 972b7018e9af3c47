// Fuzz: hundreds of thousands of mutated and random frames, each decoded as a
// request, as a reply and by PeekFrameKind. Every outcome must be a value (ok,
// or an Error of a decode kind with a message); a frame that decodes must
// re-encode to the same value. Deterministic: a fixed seed (TS_FUZZ_SEED
// overrides it to explore), printed with the iteration on any failure.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <random>

#include "tests/codec/codec_samples.h"

namespace ts {
namespace {

constexpr uint64_t kDefaultSeed = 0x7475706c65737461;  // "tuplesta"
constexpr int kMutatedFrames = 150000;
constexpr int kRandomFrames = 30000;

uint64_t FuzzSeed() {
  const char* text = std::getenv("TS_FUZZ_SEED");
  return text ? std::strtoull(text, nullptr, 0) : kDefaultSeed;
}

// Valid frames to mutate: requests and replies of many shapes, some in many
// segments (far pointers), some with pair list holes.
std::vector<std::string> Corpus() {
  std::vector<std::string> corpus;
  for (const Request& request : codec_test::SampleRequests()) {
    if (request.pairs.size() <= 20) corpus.push_back(EncodeRequest(request));
  }
  for (const Reply& reply : codec_test::SampleReplies()) {
    if (reply.rejected.size() <= 20) corpus.push_back(EncodeReply(reply));
  }
  capnp::MallocMessageBuilder fragmented(1, capnp::AllocationStrategy::FIXED_SIZE);
  auto request = capnp_frame::InitFrame<wire::ClientRequest>(fragmented);
  request.setOp("PUT");
  auto pairs = request.initPairs(4);
  for (unsigned i = 0; i < 4; ++i) {
    pairs[i].initKey(2).set(0, "k");
    if (i != 2) pairs[i].initValue(1).set(0, "v");
  }
  corpus.push_back(codec_test::FrameOf(fragmented));
  return corpus;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : random_(seed) {}

  size_t Below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(random_); }
  uint64_t Word() { return random_(); }

  std::string RandomBytes(size_t length) {
    std::string bytes(length, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random_());
    return bytes;
  }

  // A word that looks like a Cap'n Proto pointer: random kind, small offset,
  // random sizes, so mutations reach pointer validation rather than stopping
  // at the segment table.
  uint64_t PointerLikeWord() {
    const uint64_t kind = Below(4);
    const uint64_t offset = static_cast<uint64_t>(static_cast<int64_t>(Below(33)) - 16) & 0x3fffffff;
    const uint64_t upper = Below(2) ? Below(8) | (Below(64) << 3) : (Below(4) | (Below(8) << 16));
    return kind | (offset << 2) | (upper << 32);
  }

  void Mutate(std::string& frame, const std::vector<std::string>& corpus, std::string& how) {
    switch (Below(8)) {
      case 0: {  // flip a few bits
        for (size_t n = 1 + Below(8); n > 0 && !frame.empty(); --n) {
          frame[Below(frame.size())] ^= static_cast<char>(1u << Below(8));
        }
        how += "bits ";
        break;
      }
      case 1: {  // overwrite bytes with boundary values
        static const char kValues[] = {'\0', '\x01', '\x7f', '\x80', '\xfe', '\xff'};
        for (size_t n = 1 + Below(4); n > 0 && !frame.empty(); --n) {
          frame[Below(frame.size())] = kValues[Below(sizeof kValues)];
        }
        how += "bytes ";
        break;
      }
      case 2:
      case 3: {  // overwrite an aligned word with a pointer-like or random word
        if (frame.size() < 8) break;
        const uint64_t word = Below(3) ? PointerLikeWord() : Word();
        std::memcpy(frame.data() + 8 * Below(frame.size() / 8), &word, 8);
        how += "word ";
        break;
      }
      case 4: {  // truncate, usually at a word boundary
        const size_t length = Below(frame.size() + 1);
        frame.resize(Below(4) ? length & ~size_t{7} : length);
        how += "truncate ";
        break;
      }
      case 5: {  // extend with random bytes
        frame += RandomBytes(Below(4) ? 8 * (1 + Below(8)) : 1 + Below(15));
        how += "extend ";
        break;
      }
      case 6: {  // splice: a prefix of this frame and a suffix of another
        const std::string& other = corpus[Below(corpus.size())];
        const size_t cut = 8 * Below(frame.size() / 8 + 1);
        const size_t from = 8 * Below(other.size() / 8 + 1);
        frame = frame.substr(0, cut) + other.substr(from);
        how += "splice ";
        break;
      }
      default: {  // copy one word range over another
        if (frame.size() < 16) break;
        const size_t words = frame.size() / 8;
        const size_t length = 1 + Below(4);
        const size_t from = Below(words), to = Below(words);
        for (size_t i = 0; i < length && from + i < words && to + i < words; ++i) {
          std::memcpy(frame.data() + 8 * (to + i), frame.data() + 8 * (from + i), 8);
        }
        how += "copy ";
        break;
      }
    }
  }

  // Random bytes, sometimes behind a plausible segment table.
  std::string RandomFrame() {
    std::string frame = RandomBytes(Below(4) ? 8 * Below(40) : Below(300));
    if (frame.size() >= 8 && Below(2)) {
      const uint32_t segments_minus_one = static_cast<uint32_t>(Below(3));
      const uint32_t first_size = static_cast<uint32_t>(frame.size() / 8);
      std::memcpy(frame.data(), &segments_minus_one, 4);
      std::memcpy(frame.data() + 4, &first_size, 4);
    }
    return frame;
  }

 private:
  std::mt19937_64 random_;
};

bool IsDecodeErrorKind(ErrorKind kind) {
  return kind == ErrorKind::kMalformedRequest || kind == ErrorKind::kTooLarge;
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

struct Tally {
  int requests_ok = 0, replies_ok = 0, errors = 0;
};

// Empty when `frame` was handled properly, else what went wrong.
std::string CheckFrame(std::string_view frame, Tally& tally) {
  Result<Request> request = DecodeRequest(frame);
  if (request.ok()) {
    ++tally.requests_ok;
    if (!request.value().pair_list_error) {
      Result<Request> again = DecodeRequest(EncodeRequest(request.value()));
      if (!again.ok()) return "re-encoded request fails: " + again.error().message;
      std::string difference = codec_test::RequestDifference(request.value(), again.value());
      if (!difference.empty()) return "re-encoded request differs in " + difference;
    } else if (request.value().pair_list_error->empty()) {
      return "empty pair_list_error";
    }
  } else {
    ++tally.errors;
    if (!IsDecodeErrorKind(request.error().kind)) return "request error of kind " + std::string(ErrorKindName(request.error().kind));
    if (request.error().message.empty()) return "request error without a message";
  }
  Result<Reply> reply = DecodeReply(frame);
  if (reply.ok()) {
    ++tally.replies_ok;
    Result<Reply> again = DecodeReply(EncodeReply(reply.value()));
    if (!again.ok()) return "re-encoded reply fails: " + again.error().message;
    std::string difference = codec_test::ReplyDifference(reply.value(), again.value());
    if (!difference.empty()) return "re-encoded reply differs in " + difference;
  } else {
    ++tally.errors;
    if (!IsDecodeErrorKind(reply.error().kind)) return "reply error of kind " + std::string(ErrorKindName(reply.error().kind));
    if (reply.error().message.empty()) return "reply error without a message";
  }
  Result<wire::FrameKind> kind = capnp_frame::PeekFrameKind(frame);
  if (!kind.ok() && kind.error().message.empty()) return "peek error without a message";
  if (request.ok() && !(kind.ok() && kind.value() == wire::FrameKind::CLIENT_REQUEST)) {
    return "a decodable request peeks as something else";
  }
  return "";
}

TEST_CASE("codec fuzz: mutated and random frames never crash and always explain", "[codec][fuzz]") {
  const uint64_t seed = FuzzSeed();
  const std::vector<std::string> corpus = Corpus();
  Mutator mutator(seed);
  Tally tally;
  for (int i = 0; i < kMutatedFrames + kRandomFrames; ++i) {
    INFO("seed " << seed << ", frame " << i);  // reported even if the process dies
    std::string how;
    std::string frame;
    if (i < kMutatedFrames) {
      frame = corpus[mutator.Below(corpus.size())];
      // Mostly one mutation, so that many frames stay decodable and the
      // converters see odd but valid input; sometimes two or three.
      const size_t roll = mutator.Below(10);
      const size_t mutations = roll < 7 ? 1 : (roll < 9 ? 2 : 3);
      for (size_t n = mutations; n > 0; --n) mutator.Mutate(frame, corpus, how);
    } else {
      frame = mutator.RandomFrame();
      how = "random";
    }
    const std::string problem = CheckFrame(frame, tally);
    if (!problem.empty()) {
      FAIL("seed " << seed << ", frame " << i << " (" << how << "): " << problem
                   << "\nframe hex: " << Hex(frame));
    }
  }
  // The mutations must reach past the first checks, or the test proves little.
  INFO("seed " << seed << ": " << tally.requests_ok << " requests and " << tally.replies_ok
               << " replies decoded, " << tally.errors << " errors");
  CHECK(tally.requests_ok > 5000);
  CHECK(tally.replies_ok > 5000);
  CHECK(tally.errors > 100000);
}

}  // namespace
}  // namespace ts
