// Translation from Python syntax to PCRE2, errors with their offsets, and the
// honest refusals (Python accepts, we say plainly that we do not).
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "nodes/pattern/pattern.h"
#include "nodes/pattern/pattern_translate.h"

namespace ts {
namespace {

std::string Pcre2(const std::string& python) {
  auto translated = TranslatePythonPattern(python);
  INFO("pattern " << python);
  REQUIRE(translated.ok());
  return translated.value();
}

std::string ErrorOf(const std::string& python) {
  auto compiled = CompilePattern(python);
  INFO("pattern " << python);
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.error().kind == ErrorKind::kMalformedPattern);
  return compiled.error().message;
}

TEST_CASE("Python-only syntax becomes its PCRE2 equivalent", "[pattern][translate]") {
  CHECK(Pcre2(R"(a\Z)") == R"(a\z)");
  CHECK(Pcre2(R"(a{,3})") == "a{0,3}");
  CHECK(Pcre2(R"(a{2,})") == "a{2,}");
  CHECK(Pcre2(R"(a{,})") == "a*");
  CHECK(Pcre2(R"(a{1,2}+b*?)") == "a{1,2}+b*?");
  CHECK(Pcre2(R"((?P<first>a)(?P=first)\1)") == R"((a)\g{1}\g{1})");
  CHECK(Pcre2(R"((?P<é>a)(?(é)b|c))") == R"((a)(?(1)b|c))");
  CHECK(Pcre2(R"((?P<k>a|b)*,(c))") == R"((?:a|b)*\,(?:c))");  // nothing refers to them
  CHECK(Pcre2(R"(\v)") == R"(\x{b})");  // Python's \v is the vertical tab, PCRE2's a class
  CHECK(Pcre2(R"(\u00e9\U0001F600\x41\101\0)") == R"(\x{e9}\x{1f600}AA\x{0})");
  CHECK(Pcre2(R"(\B)") == R"((?!\A\z)\B)");  // Python's \B fails on an empty string
  CHECK(Pcre2(R"(\s)") ==
        R"([\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}-\x{2029}\x{202f}\x{205f}\x{3000}])");
  CHECK(Pcre2(R"(\d\w\D\W)") == R"(\d\w\D\W)");
  CHECK(Pcre2(R"((?a)\w\d)") == "[0-9A-Z_a-z][0-9]");
  CHECK(Pcre2(R"((?ai)k[a-c])") == "[kK][a-cA-C]");
  CHECK(Pcre2(R"((?i)i)") == "(?i)[Ii\\x{130}\\x{131}]");
  CHECK(Pcre2(R"([[:alpha:]])") == R"([\[\:alpha\:]\])");  // no POSIX classes in Python
  CHECK(Pcre2(R"((?x) a b  # comment)") == "ab");
  CHECK(Pcre2(R"((?i:a)(?-i:b))") == "(?i:a)(?:b)");
  CHECK(Pcre2(R"((?i)(?-i:b)(?s:.))") == "(?i)(?-i:b)(?s:.)");
  CHECK(Pcre2(R"((?m)^a$)") == "(?m)^a$");
  CHECK(Pcre2(R"(a(?#comment)b)") == "ab");
  CHECK(Pcre2(R"(\ud800)") == R"([^\x{0}-\x{10ffff}])");  // a surrogate is never in UTF-8
  CHECK(Pcre2(R"((?<=(?:ab|c){0})x)") == R"((?<=(?(DEFINE)(?:ab|c)))x)");
}

TEST_CASE("malformed patterns name the offset and the problem", "[pattern][errors]") {
  CHECK(ErrorOf("(") == "at offset 0: missing ), unterminated subpattern");
  CHECK(ErrorOf("ab)") == "at offset 2: unbalanced parenthesis");
  CHECK(ErrorOf("a**") == "at offset 2: multiple repeat");
  CHECK(ErrorOf("x|*") == "at offset 2: nothing to repeat");
  CHECK(ErrorOf(R"(\q)") == R"(at offset 0: bad escape \q)");
  CHECK(ErrorOf(R"(ab\)") == "at offset 2: bad escape (end of pattern)");
  CHECK(ErrorOf("[z-a]") == "at offset 1: bad character range z-a");
  CHECK(ErrorOf("a{3,2}") == "at offset 2: min repeat greater than max repeat");
  CHECK(ErrorOf("a(?i)b") == "at offset 1: global flags not at the start of the expression");
  CHECK(ErrorOf("(?P<a>x)(?P<a>y)") ==
        "at offset 12: redefinition of group name 'a' as group 2; was group 1");
  CHECK(ErrorOf("(?P=nope)") == "at offset 4: unknown group name 'nope'");
  CHECK(ErrorOf(R"((a)\2)") == "at offset 4: invalid group reference 2");
  CHECK(ErrorOf(R"((a\1))") == "at offset 2: cannot refer to an open group");
  CHECK(ErrorOf("(?P>a)") == "at offset 1: unknown extension ?P>");
  CHECK(ErrorOf("(?<n>a)") == "at offset 1: unknown extension ?<n");
  CHECK(ErrorOf("(?<=a+)b") == "at offset 0: look-behind requires fixed-width pattern");
  CHECK(ErrorOf(R"(\777)") == R"(at offset 0: octal escape value \777 outside of range 0-0o377)");
  CHECK(ErrorOf("(?L)a") == "at offset 3: bad inline flags: cannot use 'L' flag with a str pattern");
}

TEST_CASE("patterns Python accepts but we cannot run are refused plainly", "[pattern][errors]") {
  CHECK(ErrorOf(R"(\N{EM DASH})") ==
        R"(at offset 0: named Unicode escapes (\N{...}) are not supported: 'EM DASH')");
  CHECK(ErrorOf("a{70000}") == "at offset 0: repeat counts above 65535 are not supported");
  const std::string deep = std::string(250, '(') + "a" + std::string(250, ')');
  CHECK(ErrorOf(deep).find("nested more than 200 deep are not supported") != std::string::npos);
  CHECK(ErrorOf("(?<=a{65535}b)c").find("not supported by the matching engine") != std::string::npos);
}

TEST_CASE("bad bytes and oversized patterns are errors, not crashes", "[pattern][errors]") {
  CHECK(ErrorOf("ab\xff") == "at offset 2: pattern is not valid UTF-8 (byte 2)");
  CHECK(ErrorOf("\xed\xa0\x80") == "at offset 0: pattern is not valid UTF-8 (byte 0)");  // surrogate
  CHECK(ErrorOf(std::string("a\0(", 3)) == "at offset 2: missing ), unterminated subpattern");

  PatternLimits limits;
  limits.max_pattern_bytes = 16;
  auto compiled = CompilePattern(std::string(17, 'a'), limits);
  REQUIRE_FALSE(compiled.ok());
  CHECK(compiled.error().kind == ErrorKind::kTooLarge);
  CHECK(compiled.error().message == "pattern is 17 bytes, more than the limit of 16");
  CHECK(CompilePattern(std::string(16, 'a'), limits).ok());
}

}  // namespace
}  // namespace ts
