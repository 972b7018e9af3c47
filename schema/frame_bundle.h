// Frame bundles: several frames in one ZeroMQ frame, for the broker <-> node
// links. CURVE seals every ZeroMQ frame in a box of its own, and a box costs
// about the same (some 6,000 instructions to seal and as many to open) for
// 100 bytes as for 1,000, so a turn's requests (or replies) for one peer
// travel as one bundle: one box instead of one per request.
//
// Layout: the 4-byte magic "TSB\x01", then for each frame its length (u32,
// little-endian) and its bytes. No Cap'n Proto frame starts with the magic
// (it would declare 21 million segments), so a receiver tells the two apart
// by the first bytes and takes either (IsBundle). SplitBundle never reads
// past the end: a length that runs over, or a bundle holding no frame, is an
// Error naming the frame and the offset where the bundle broke.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ts {

inline constexpr std::string_view kBundleMagic{"TSB\x01", 4};
// Frames at least this large go alone, unbundled: copying them into a bundle
// would cost more than the box it saves.
inline constexpr size_t kBundleFrameBytes = size_t{64} << 10;
// A bundle is closed once it holds this many bytes; the next frame starts a new one.
inline constexpr size_t kMaxBundleBytes = size_t{1} << 20;

bool IsBundle(std::string_view bytes);

// `frames` as the ZeroMQ frames to send, in order: runs of small frames as
// bundles (a run of one stays a plain frame), large frames as they are.
std::vector<std::string> BundleFrames(std::span<const std::string> frames);

// The frames of a bundle, as views into `bundle` (which must outlive them).
Result<std::vector<std::string_view>> SplitBundle(std::string_view bundle);

// A received ZeroMQ frame as the frames it carries: a bundle's, or itself.
Result<std::vector<std::string_view>> FramesIn(std::string_view part);

}  // namespace ts
