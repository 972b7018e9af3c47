// What every libFuzzer harness in tests/fuzz shares: FUZZ_CHECK, which stops
// the run (abort, so libFuzzer saves the input as a crash file) when a
// property of the code under test does not hold, printing what and where.
// Harnesses check properties, not just "did not crash": a frame that
// decodes must re-encode to the same value, and so on.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ts::fuzz {

[[noreturn]] inline void Fail(const char* file, int line, const char* condition, const std::string& detail) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed%s%s\n", file, line, condition, detail.empty() ? "" : ": ",
               detail.c_str());
  std::abort();
}

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ts::fuzz

#define FUZZ_CHECK(condition, detail)                                            \
  do {                                                                           \
    if (!(condition)) ::ts::fuzz::Fail(__FILE__, __LINE__, #condition, (detail)); \
  } while (0)
