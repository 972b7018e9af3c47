// libFuzzer harness: every cluster frame decoder (schema/cluster_codec.h).
// Input: one selector byte, then a frame. The selector (mod 3) picks the
// decoder: 0 peer (bus and state transfer), 1 node-to-broker, 2
// broker-to-node. Properties: no decoder throws; a failure is
// kMalformedRequest or kTooLarge with a message; a message that decodes has
// a log description, and re-encodes to a frame that decodes to the same
// message, field for field (tests/cluster_wire/cluster_samples.h's Dump).
// With the selector's high bit set, the frame is a received ZeroMQ part of a
// broker <-> node link (schema/frame_bundle.h): a bundle or a plain frame.
// Properties: a broken bundle is kMalformedRequest with a message; the
// frames it carries each go through the decoder as above, and bundling them
// again gives parts that carry the same frames in the same order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "schema/cluster_codec.h"
#include "schema/frame_bundle.h"
#include "tests/cluster_wire/cluster_samples.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ts;
using namespace ts::cluster;

template <class Message, class Decode, class Encode>
void Check(std::string_view frame, Decode decode, Encode encode) {
  Result<Message> decoded = decode(frame, kClusterDecodeLimits);
  if (!decoded.ok()) {
    const Error& error = decoded.error();
    FUZZ_CHECK(error.kind == ErrorKind::kMalformedRequest || error.kind == ErrorKind::kTooLarge, error.message);
    FUZZ_CHECK(!error.message.empty(), "");
    return;
  }
  FUZZ_CHECK(!Describe(decoded.value()).empty(), "empty description");
  Result<Message> again = decode(encode(decoded.value()), kClusterDecodeLimits);
  FUZZ_CHECK(again.ok(), again.error().message);
  const std::string before = cluster_wire_test::Dump(decoded.value());
  const std::string after = cluster_wire_test::Dump(again.value());
  FUZZ_CHECK(before == after, "re-encoded message differs:\n  " + before + "\n  " + after);
}

void CheckFrame(uint8_t selector, std::string_view frame) {
  switch (selector % 3) {
    case 0: Check<PeerMessage>(frame, DecodePeerMessage, EncodePeerMessage); break;
    case 1: Check<NodeToBroker>(frame, DecodeNodeToBroker, EncodeNodeToBroker); break;
    case 2: Check<BrokerToNode>(frame, DecodeBrokerToNode, EncodeBrokerToNode); break;
  }
}

void CheckPart(uint8_t selector, std::string_view part) {
  Result<std::vector<std::string_view>> frames = FramesIn(part);
  if (!frames.ok()) {
    FUZZ_CHECK(frames.error().kind == ErrorKind::kMalformedRequest, frames.error().message);
    FUZZ_CHECK(!frames.error().message.empty(), "");
    return;
  }
  std::vector<std::string> copies(frames.value().begin(), frames.value().end());
  for (const std::string& frame : copies) CheckFrame(selector, frame);
  std::vector<std::string> again;
  for (const std::string& rebundled : BundleFrames(copies)) {
    Result<std::vector<std::string_view>> carried = FramesIn(rebundled);
    FUZZ_CHECK(carried.ok(), carried.ok() ? "" : carried.error().message);
    again.insert(again.end(), carried.value().begin(), carried.value().end());
  }
  FUZZ_CHECK(again == copies, "re-bundled frames differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view frame = ts::fuzz::AsView(data + 1, size - 1);
  if (data[0] & 0x80) {
    CheckPart(data[0], frame);
  } else {
    CheckFrame(data[0], frame);
  }
  return 0;
}
