// libFuzzer harness: client reply frames, as a client (and the broker, which
// validates every reply it relays) receives them. Input: one frame's bytes.
// Properties: DecodeReply never throws; a failure is kMalformedRequest or
// kTooLarge with a message; a reply that decodes re-encodes to a frame that
// decodes to the same reply; tsctl shows any reply, decoded or not, in its
// readable and JSON forms without throwing, and the JSON line parses back.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "clients/tsctl_format.h"
#include "schema/codec.h"
#include "tests/codec/codec_samples.h"
#include "tests/fuzz/fuzz_support.h"

using namespace ts;

namespace {
constexpr size_t kRawJsonCheckBytes = 256;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame = ts::fuzz::AsView(data, size);
  Result<Reply> decoded = DecodeReply(frame);
  if (decoded.ok()) {
    const Reply& reply = decoded.value();
    Result<Reply> again = DecodeReply(EncodeReply(reply));
    FUZZ_CHECK(again.ok(), again.error().message);
    const std::string difference = codec_test::ReplyDifference(reply, again.value());
    FUZZ_CHECK(difference.empty(), "re-encoded reply differs in " + difference);

    FUZZ_CHECK(!tsctl::FormatReply(reply).empty(), "empty readable reply");
    FUZZ_CHECK(!tsctl::FormatStatus(reply).empty(), "empty readable status");
    const std::string line = tsctl::JsonLine(tsctl::ReplyJson(reply));
    FUZZ_CHECK(nlohmann::json::accept(line), "tsctl's JSON line does not parse: " + line);
  } else {
    const Error& error = decoded.error();
    FUZZ_CHECK(error.kind == ErrorKind::kMalformedRequest || error.kind == ErrorKind::kTooLarge, error.message);
    FUZZ_CHECK(!error.message.empty(), "");
    RawReply raw{std::string(frame), std::nullopt, error.message};
    // The JSON of an undecodable frame is the error and the frame in hex;
    // checked on short frames only, where it costs the run little.
    if (frame.size() <= kRawJsonCheckBytes) {
      const std::string line = tsctl::JsonLine(tsctl::RawReplyJson(raw));
      FUZZ_CHECK(nlohmann::json::accept(line), "tsctl's JSON line does not parse: " + line);
    }
    FUZZ_CHECK(!tsctl::FormatRawReply(raw).empty(), "empty readable raw reply");
  }
  return 0;
}
