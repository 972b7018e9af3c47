// PatternCache: hits return the same compiled pattern, the least recently used
// entry goes first, malformed patterns are remembered as their error, and
// oversized ones are refused without being kept.
#include <catch2/catch.hpp>

#include <string>

#include "nodes/pattern/pattern.h"

namespace ts {
namespace {

PatternLimits Capacity(size_t entries) {
  PatternLimits limits;
  limits.cache_capacity = entries;
  return limits;
}

TEST_CASE("a cache hit returns the same compiled pattern", "[pattern][cache]") {
  PatternCache cache;
  auto first = cache.Get(R"(user,\d+)");
  auto second = cache.Get(R"(user,\d+)");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first.value().get() == second.value().get());
  CHECK(cache.size() == 1);
}

TEST_CASE("the least recently used pattern is evicted first", "[pattern][cache]") {
  PatternCache cache(Capacity(2));
  const Pattern* a = cache.Get("a").value().get();
  auto b = cache.Get("b").value();  // held, so its address cannot be reused
  CHECK(cache.Get("a").value().get() == a);  // touch a: b is now the oldest
  cache.Get("c");
  CHECK(cache.size() == 2);
  CHECK(cache.Get("a").value().get() == a);            // still cached
  CHECK(cache.Get("b").value().get() != b.get());      // recompiled: it was evicted
  CHECK(cache.size() == 2);
}

TEST_CASE("malformed patterns are cached as their error", "[pattern][cache]") {
  PatternCache cache(Capacity(4));
  auto first = cache.Get("(unclosed");
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().kind == ErrorKind::kMalformedPattern);
  CHECK(cache.size() == 1);
  auto second = cache.Get("(unclosed");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error() == first.error());
  CHECK(cache.size() == 1);
}

TEST_CASE("oversized patterns are refused and not kept, capacity 0 keeps nothing",
          "[pattern][cache]") {
  PatternLimits limits = Capacity(4);
  limits.max_pattern_bytes = 8;
  PatternCache cache(limits);
  auto big = cache.Get(std::string(9, 'a'));
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().kind == ErrorKind::kTooLarge);
  CHECK(cache.size() == 0);

  PatternCache none(Capacity(0));
  CHECK(none.Get("a").ok());
  CHECK(none.size() == 0);
}

TEST_CASE("the cache stays at its capacity under many distinct patterns", "[pattern][cache]") {
  PatternCache cache(Capacity(16));
  MatchScratch scratch;
  for (int i = 0; i < 1000; ++i) {
    auto compiled = cache.Get("k" + std::to_string(i) + R"(,\d+)");
    REQUIRE(compiled.ok());
    CHECK(compiled.value()->Match("k" + std::to_string(i) + ",7", scratch) == MatchOutcome::kMatch);
    CHECK(cache.size() <= 16);
  }
  CHECK(cache.size() == 16);
}

}  // namespace
}  // namespace ts
