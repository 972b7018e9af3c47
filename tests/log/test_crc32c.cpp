// CRC32C: the RFC 3720 vectors, the two paths agree, Extend composes, masks invert.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "nodes/log/crc32c.h"

using namespace ts::wal;

TEST_CASE("crc32c: RFC 3720 test vectors", "[log][crc32c]") {
  std::string zeros(32, '\0');
  std::string ones(32, '\xff');
  std::string ascending(32, '\0');
  std::string descending(32, '\0');
  for (int i = 0; i < 32; ++i) {
    ascending[i] = static_cast<char>(i);
    descending[i] = static_cast<char>(31 - i);
  }
  CHECK(crc32c::Value(zeros) == 0x8a9136aau);
  CHECK(crc32c::Value(ones) == 0x62a8ab43u);
  CHECK(crc32c::Value(ascending) == 0x46dd794eu);
  CHECK(crc32c::Value(descending) == 0x113fdb5cu);
  CHECK(crc32c::Value("123456789") == 0xe3069283u);
  CHECK(crc32c::ExtendPortable(0, "123456789", 9) == 0xe3069283u);
}

TEST_CASE("crc32c: hardware and portable paths agree at every length and alignment", "[log][crc32c]") {
  std::mt19937 random(17);
  std::string bytes(4096 + 16, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  for (size_t start = 0; start < 9; ++start) {
    for (size_t length : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 1000u, 4096u}) {
      INFO("start " << start << " length " << length);
      CHECK(crc32c::Extend(0, bytes.data() + start, length) == crc32c::ExtendPortable(0, bytes.data() + start, length));
    }
  }
}

TEST_CASE("crc32c: extending is the CRC of the concatenation", "[log][crc32c]") {
  const std::string a = "hello, ";
  const std::string b = "durable world";
  CHECK(crc32c::Extend(crc32c::Value(a), b.data(), b.size()) == crc32c::Value(a + b));
}

TEST_CASE("crc32c: a masked CRC differs from the CRC and unmasks back", "[log][crc32c]") {
  const uint32_t crc = crc32c::Value("foo");
  CHECK(crc32c::Mask(crc) != crc);
  CHECK(crc32c::Mask(crc32c::Mask(crc)) != crc);
  CHECK(crc32c::Unmask(crc32c::Mask(crc)) == crc);
  CHECK(crc32c::Unmask(crc32c::Unmask(crc32c::Mask(crc32c::Mask(crc)))) == crc);
}
