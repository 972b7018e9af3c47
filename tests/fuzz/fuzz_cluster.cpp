// libFuzzer harness: every cluster frame decoder (schema/cluster_codec.h).
// Input: one selector byte, then a frame. The selector (mod 3) picks the
// decoder: 0 peer (bus and state transfer), 1 node-to-broker, 2
// broker-to-node. Properties: no decoder throws; a failure is
// kMalformedRequest or kTooLarge with a message; a message that decodes has
// a log description, and re-encodes to a frame that decodes to the same
// message, field for field (tests/cluster_wire/cluster_samples.h's Dump).
#include <cstddef>
#include <cstdint>
#include <string>

#include "schema/cluster_codec.h"
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view frame = ts::fuzz::AsView(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: Check<PeerMessage>(frame, DecodePeerMessage, EncodePeerMessage); break;
    case 1: Check<NodeToBroker>(frame, DecodeNodeToBroker, EncodeNodeToBroker); break;
    case 2: Check<BrokerToNode>(frame, DecodeBrokerToNode, EncodeBrokerToNode); break;
  }
  return 0;
}
