// Frame bundles (schema/frame_bundle.h): what BundleFrames packs, FramesIn
// gives back, in order, byte for byte; a bundle is never taken for a Cap'n
// Proto frame nor one for a bundle; a broken bundle is an Error naming the
// frame and the offset, never a read past its end.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "schema/cluster_codec.h"
#include "schema/frame_bundle.h"

namespace ts {
namespace {

std::vector<std::string> Unbundled(const std::vector<std::string>& parts) {
  std::vector<std::string> frames;
  for (const std::string& part : parts) {
    Result<std::vector<std::string_view>> in = FramesIn(part);
    REQUIRE(in.ok());
    for (std::string_view frame : in.value()) frames.emplace_back(frame);
  }
  return frames;
}

std::string RequestFrame(uint64_t token) {
  return cluster::EncodeBrokerToNode(cluster::ClientRequestFrame{cluster::ClientTag{"alice", token}, "request"});
}

}  // namespace

TEST_CASE("frame bundle: a run of small frames travels as one part, and comes back in order") {
  std::vector<std::string> frames;
  for (uint64_t i = 1; i <= 16; ++i) frames.push_back(RequestFrame(i));
  const std::vector<std::string> parts = BundleFrames(frames);
  REQUIRE(parts.size() == 1);
  CHECK(IsBundle(parts[0]));
  CHECK(Unbundled(parts) == frames);
}

TEST_CASE("frame bundle: one frame stays a plain frame, an empty list sends nothing") {
  const std::vector<std::string> one{RequestFrame(1)};
  CHECK(BundleFrames(one) == one);
  CHECK(!IsBundle(one[0]));  // a Cap'n Proto frame is never taken for a bundle
  CHECK(BundleFrames(std::vector<std::string>{}).empty());
}

TEST_CASE("frame bundle: large frames go alone, and bundles close at kMaxBundleBytes") {
  const std::string large(kBundleFrameBytes, 'L');
  const std::string small = RequestFrame(1);
  const std::vector<std::string> frames{small, small, large, small};
  const std::vector<std::string> parts = BundleFrames(frames);
  REQUIRE(parts.size() == 3);  // [bundle of 2][large][small]
  CHECK(IsBundle(parts[0]));
  CHECK(parts[1] == large);
  CHECK(parts[2] == small);
  CHECK(Unbundled(parts) == frames);

  const std::string medium(kBundleFrameBytes - 1, 'M');
  const std::vector<std::string> many(40, medium);  // 40 x 64 KiB: over one bundle's budget
  const std::vector<std::string> split = BundleFrames(many);
  CHECK(split.size() > 1);
  for (const std::string& part : split) CHECK(part.size() <= kMaxBundleBytes);
  CHECK(Unbundled(split) == many);
}

TEST_CASE("frame bundle: a broken bundle is an error naming the frame and the offset") {
  const std::vector<std::string> frames{RequestFrame(1), RequestFrame(2)};
  const std::string bundle = BundleFrames(frames).at(0);

  Result<std::vector<std::string_view>> cut = SplitBundle(bundle.substr(0, bundle.size() - 1));
  REQUIRE(!cut.ok());
  CHECK(cut.error().kind == ErrorKind::kMalformedRequest);
  CHECK_THAT(cut.error().message, Catch::Contains("frame 2") && Catch::Contains("offset") &&
                                      Catch::Contains("claims"));

  const std::string half_length = bundle.substr(0, kBundleMagic.size() + 4 + frames[0].size() + 2);
  Result<std::vector<std::string_view>> no_length = SplitBundle(half_length);
  REQUIRE(!no_length.ok());
  CHECK_THAT(no_length.error().message, Catch::Contains("frame 2's length") && Catch::Contains("cut off"));

  Result<std::vector<std::string_view>> empty = FramesIn(std::string(kBundleMagic));
  REQUIRE(!empty.ok());
  CHECK_THAT(empty.error().message, Catch::Contains("holds no frame"));

  CHECK(!SplitBundle(frames[0]).ok());  // not a bundle at all
}

}  // namespace ts
