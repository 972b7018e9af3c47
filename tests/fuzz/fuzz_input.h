// How the harnesses that take more than one thing split their input, and
// the inverse, for the seed writer (fuzz_seeds.cpp): both sides of each
// format live here so that seeds always parse as what they were written as.
//   fuzz_cluster: one selector byte (mod 3: peer, node-to-broker,
//                 broker-to-node), then the frame.
//   fuzz_pattern: FuzzedDataProvider order: the flags byte is the last byte,
//                 the pattern a random-length string from the front ('\'
//                 doubled inside it; '\' + any other byte ends it), the
//                 subject the rest.
//   fuzz_tsctl:   one mode byte (bit 0 clear: a prompt line; set: argv-like
//                 words separated by NUL bytes), then the text.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ts::fuzz_input {

enum class ClusterChannel : uint8_t { kPeer = 0, kNodeToBroker = 1, kBrokerToNode = 2 };

inline std::string ClusterInput(ClusterChannel channel, std::string_view frame) {
  return std::string(1, static_cast<char>(channel)) + std::string(frame);
}

// fuzz_cluster: the selector's high bit says the rest is a received ZeroMQ
// part of a broker <-> node link (a frame bundle, or one plain frame).
inline constexpr uint8_t kClusterPartBit = 0x80;
inline std::string ClusterPartInput(ClusterChannel channel, std::string_view part) {
  return std::string(1, static_cast<char>(static_cast<uint8_t>(channel) | kClusterPartBit)) + std::string(part);
}

inline constexpr uint8_t kPatternTightLimits = 1;
inline constexpr uint8_t kPatternThroughCache = 2;
inline constexpr size_t kMaxFuzzedPatternBytes = 8192;  // past the default limit, to reach kTooLarge

struct PatternInput {
  uint8_t flags = 0;
  std::string pattern;
  std::string subject;

  static PatternInput Parse(const uint8_t* data, size_t size) {
    FuzzedDataProvider provider(data, size);
    PatternInput input;
    input.flags = provider.ConsumeIntegral<uint8_t>();
    input.pattern = provider.ConsumeRandomLengthString(kMaxFuzzedPatternBytes);
    input.subject = provider.ConsumeRemainingBytesAsString();
    return input;
  }

  std::string Encode() const {
    std::string bytes;
    for (char c : pattern) {
      bytes += c;
      if (c == '\\') bytes += '\\';
    }
    bytes += "\\|";  // ends the pattern
    bytes += subject;
    bytes += static_cast<char>(flags);
    return bytes;
  }
};

inline constexpr uint8_t kTsctlWordsMode = 1;

inline std::string TsctlLineInput(std::string_view line) { return std::string(1, '\0') + std::string(line); }

inline std::string TsctlWordsInput(const std::vector<std::string>& words) {
  std::string bytes(1, static_cast<char>(kTsctlWordsMode));
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) bytes += '\0';
    bytes += words[i];
  }
  return bytes;
}

// The words of a words-mode input (NUL-separated; none for empty text).
inline std::vector<std::string> SplitOnNul(std::string_view text) {
  std::vector<std::string> words;
  if (text.empty()) return words;
  size_t start = 0;
  while (true) {
    const size_t nul = text.find('\0', start);
    words.emplace_back(text.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start));
    if (nul == std::string_view::npos) return words;
    start = nul + 1;
  }
}

}  // namespace ts::fuzz_input
