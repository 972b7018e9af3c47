#include "nodes/log/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace ts::wal::crc32c {
namespace {

constexpr uint32_t kPolynomial = 0x82f63b78u;  // Castagnoli, bit-reflected

using Table = std::array<std::array<uint32_t, 256>, 8>;

constexpr Table MakeTable() {
  Table table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    table[0][i] = crc;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t slice = 1; slice < 8; ++slice) {
      table[slice][i] = (table[slice - 1][i] >> 8) ^ table[0][table[slice - 1][i] & 0xff];
    }
  }
  return table;
}

constexpr Table kTable = MakeTable();

uint32_t PortableRaw(uint32_t state, const unsigned char* p, size_t size) {
  while (size > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    state = (state >> 8) ^ kTable[0][(state ^ *p++) & 0xff];
    --size;
  }
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);  // little-endian: the first byte is the low byte
    const uint32_t low = static_cast<uint32_t>(word) ^ state;
    const uint32_t high = static_cast<uint32_t>(word >> 32);
    state = kTable[7][low & 0xff] ^ kTable[6][(low >> 8) & 0xff] ^ kTable[5][(low >> 16) & 0xff] ^
            kTable[4][low >> 24] ^ kTable[3][high & 0xff] ^ kTable[2][(high >> 8) & 0xff] ^
            kTable[1][(high >> 16) & 0xff] ^ kTable[0][high >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) state = (state >> 8) ^ kTable[0][(state ^ *p++) & 0xff];
  return state;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t HardwareRaw(uint32_t state, const unsigned char* p, size_t size) {
  while (size > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    state = _mm_crc32_u8(state, *p++);
    --size;
  }
  uint64_t state64 = state;
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    state64 = _mm_crc32_u64(state64, word);
    p += 8;
    size -= 8;
  }
  state = static_cast<uint32_t>(state64);
  while (size-- > 0) state = _mm_crc32_u8(state, *p++);
  return state;
}

bool DetectHardware() { return __builtin_cpu_supports("sse4.2"); }
#else
uint32_t HardwareRaw(uint32_t state, const unsigned char* p, size_t size) { return PortableRaw(state, p, size); }
bool DetectHardware() { return false; }
#endif

const bool kHardware = DetectHardware();

}  // namespace

bool HardwareAvailable() { return kHardware; }

uint32_t ExtendPortable(uint32_t crc, const char* data, size_t size) {
  return ~PortableRaw(~crc, reinterpret_cast<const unsigned char*>(data), size);
}

uint32_t Extend(uint32_t crc, const char* data, size_t size) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(data);
  return ~(kHardware ? HardwareRaw(~crc, bytes, size) : PortableRaw(~crc, bytes, size));
}

}  // namespace ts::wal::crc32c
