// CRC32C (Castagnoli, the iSCSI / ext4 / LevelDB checksum) of byte ranges.
//
// Debian bookworm, the project's base, packages no CRC32C library
// (libcrc32c-dev arrives only in later releases, and abseil 20220623 predates
// absl/crc), so it is computed here: with the SSE4.2 crc32 instruction when the
// CPU has it (checked once), else with a slice-by-8 table built at compile
// time. Both paths give the same value; tests/log checks them against the
// RFC 3720 test vectors and against each other.
//
// Masked values are what the log stores (LevelDB's rule): a CRC of bytes that
// themselves hold CRCs is then not trivially related to them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ts::wal::crc32c {

// The CRC32C of data appended to the bytes whose CRC32C was `crc`
// (Extend(Extend(0, a), b) == Value(a + b)).
uint32_t Extend(uint32_t crc, const char* data, size_t size);
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

// The portable path alone (for tests; Extend picks the fastest path).
uint32_t ExtendPortable(uint32_t crc, const char* data, size_t size);
bool HardwareAvailable();

inline constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace ts::wal::crc32c
