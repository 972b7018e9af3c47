#include "schema/frame_bundle.h"

#include <cstdint>
#include <algorithm>
#include <cstring>

namespace ts {
namespace {

constexpr size_t kLengthBytes = sizeof(uint32_t);

void AppendLength(std::string& out, size_t length) {
  const auto value = static_cast<uint32_t>(length);
  const char bytes[kLengthBytes] = {static_cast<char>(value & 0xff), static_cast<char>((value >> 8) & 0xff),
                                    static_cast<char>((value >> 16) & 0xff), static_cast<char>((value >> 24) & 0xff)};
  out.append(bytes, kLengthBytes);
}

uint32_t ReadLength(const char* at) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(at);
  return uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 | uint32_t{bytes[3]} << 24;
}

Error Broken(const std::string& why) { return Error{ErrorKind::kMalformedRequest, "frame bundle: " + why}; }

}  // namespace

bool IsBundle(std::string_view bytes) { return bytes.substr(0, kBundleMagic.size()) == kBundleMagic; }

std::vector<std::string> BundleFrames(std::span<const std::string> frames) {
  std::vector<std::string> out;
  std::string bundle;
  size_t in_bundle = 0;
  const std::string* only = nullptr;  // the bundle's frame while it holds one
  auto close = [&] {
    if (in_bundle == 1) out.push_back(*only);  // a bundle of one costs a copy and saves nothing
    else if (in_bundle > 1) out.push_back(std::move(bundle));
    bundle.clear();
    in_bundle = 0;
  };
  for (const std::string& frame : frames) {
    if (frame.size() >= kBundleFrameBytes) {
      close();
      out.push_back(frame);
      continue;
    }
    if (in_bundle > 0 && bundle.size() + kLengthBytes + frame.size() > kMaxBundleBytes) close();
    if (in_bundle == 0) {
      bundle.reserve(std::min(kMaxBundleBytes, kBundleMagic.size() + (kLengthBytes + frame.size()) * (frames.size())));
      bundle.append(kBundleMagic);
      only = &frame;
    }
    AppendLength(bundle, frame.size());
    bundle.append(frame);
    ++in_bundle;
  }
  close();
  return out;
}

Result<std::vector<std::string_view>> SplitBundle(std::string_view bundle) {
  if (!IsBundle(bundle)) return Broken("does not start with the bundle magic");
  std::vector<std::string_view> frames;
  size_t offset = kBundleMagic.size();
  while (offset < bundle.size()) {
    const size_t number = frames.size() + 1;
    if (bundle.size() - offset < kLengthBytes) {
      return Broken("frame " + std::to_string(number) + "'s length at offset " + std::to_string(offset) +
                    " is cut off (" + std::to_string(bundle.size() - offset) + " bytes left)");
    }
    const size_t length = ReadLength(bundle.data() + offset);
    offset += kLengthBytes;
    if (length > bundle.size() - offset) {
      return Broken("frame " + std::to_string(number) + " at offset " + std::to_string(offset) + " claims " +
                    std::to_string(length) + " bytes, " + std::to_string(bundle.size() - offset) + " are left");
    }
    frames.push_back(bundle.substr(offset, length));
    offset += length;
  }
  if (frames.empty()) return Broken("holds no frame");
  return frames;
}

Result<std::vector<std::string_view>> FramesIn(std::string_view part) {
  if (IsBundle(part)) return SplitBundle(part);
  return std::vector<std::string_view>{part};
}

}  // namespace ts
