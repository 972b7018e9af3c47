// libFuzzer harness: client request frames, as a node receives them.
// Input: one frame's bytes. Properties: DecodeRequest never throws; a failure
// is kMalformedRequest or kTooLarge with a message; a request that decodes
// re-encodes to a frame that decodes to the same request; the space executes
// it (patterns under the default cost limits) into a reply that round-trips
// the reply codec, and a backup applying the write's effect ends up holding
// exactly the primary's pairs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nodes/space/space.h"
#include "schema/capnp_frame.h"
#include "schema/codec.h"
#include "tests/codec/codec_samples.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ts;

// A small space for requests to act on: keys user,0..15 with two-element values.
void FillSpace(TupleSpace& space) {
  for (int i = 0; i < 16; ++i) {
    space.Upsert("user," + std::to_string(i), "name" + std::to_string(i % 5) + "," + std::to_string(i * 7));
  }
  space.Upsert("a", "b");
}

void CheckDecodeError(const Error& error) {
  FUZZ_CHECK(error.kind == ErrorKind::kMalformedRequest || error.kind == ErrorKind::kTooLarge, error.message);
  FUZZ_CHECK(!error.message.empty(), "");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame = ts::fuzz::AsView(data, size);
  Result<wire::FrameKind> kind = capnp_frame::PeekFrameKind(frame);
  if (!kind.ok()) CheckDecodeError(kind.error());

  Result<Request> decoded = DecodeRequest(frame);
  if (!decoded.ok()) {
    CheckDecodeError(decoded.error());
    return 0;
  }
  FUZZ_CHECK(kind.ok() && kind.value() == wire::FrameKind::CLIENT_REQUEST, "a request frame PeekFrameKind refuses");
  const Request& request = decoded.value();
  if (request.pair_list_error) {
    FUZZ_CHECK(request.pairs.empty(), "pairs kept beside a pair list error");
  } else {
    Result<Request> again = DecodeRequest(EncodeRequest(request));
    FUZZ_CHECK(again.ok(), again.error().message);
    const std::string difference = codec_test::RequestDifference(request, again.value());
    FUZZ_CHECK(difference.empty(), "re-encoded request differs in " + difference);
  }

  TupleSpace primary;
  FillSpace(primary);
  WriteEffect effect;
  Reply reply = primary.Execute(request, &effect);
  FUZZ_CHECK(reply.id == request.id, "reply id");
  FUZZ_CHECK(reply.op_name == request.op_name, "reply op");
  Result<Reply> reply_again = DecodeReply(EncodeReply(reply));
  FUZZ_CHECK(reply_again.ok(), reply_again.error().message);
  const std::string reply_difference = codec_test::ReplyDifference(reply, reply_again.value());
  FUZZ_CHECK(reply_difference.empty(), "re-encoded reply differs in " + reply_difference);

  TupleSpace backup;
  FillSpace(backup);
  backup.ApplyEffect(effect);
  FUZZ_CHECK(backup.pairs() == primary.pairs(), "a backup applying the effect differs from the primary");
  return 0;
}
