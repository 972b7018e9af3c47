// Matching: the cost bound (catastrophic backtracking is cut off, linear work
// on a million characters is not), hostile subjects, sharing a Pattern across
// threads, and the store's shortcuts (literal prefix, match-everything).
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "nodes/pattern/pattern.h"

namespace ts {
namespace {

std::shared_ptr<const Pattern> Compile(const std::string& python) {
  auto compiled = CompilePattern(python);
  INFO("pattern " << python);
  REQUIRE(compiled.ok());
  return compiled.value();
}

MatchOutcome MatchOf(const std::string& python, const std::string& subject) {
  MatchScratch scratch;
  return Compile(python)->Match(subject, scratch);
}

TEST_CASE("catastrophic backtracking comes back as too costly", "[pattern][limits]") {
  MatchScratch scratch;
  const std::string subject = std::string(28, 'a') + "!";
  CHECK(Compile("(a+)+$")->Match(subject, scratch) == MatchOutcome::kTooCostly);
  CHECK(Compile("(a|a)*$")->Match(std::string(40, 'a') + "!", scratch) == MatchOutcome::kTooCostly);
  CHECK(Compile("(?:a|aa)*$")->Match(std::string(60, 'a') + "!", scratch) == MatchOutcome::kTooCostly);
  CHECK(Compile(R"((\w+\s?)*$)")->Match(std::string(40, 'x') + "!", scratch) == MatchOutcome::kTooCostly);
  // The same pattern on an easy subject still answers, with the same scratch.
  CHECK(Compile("(a+)+$")->Match(std::string(28, 'a'), scratch) == MatchOutcome::kMatch);
  CHECK(Compile("(a+)+$")->Match("aab", scratch) == MatchOutcome::kNoMatch);
}

TEST_CASE("linear work on a 1,000,000-character subject is within budget", "[pattern][limits]") {
  std::string subject(1'000'000, 'a');
  for (size_t i = 0; i < subject.size(); i += 3) subject[i] = 'b';
  MatchScratch scratch;
  CHECK(Compile("(a|b)*")->Match(subject, scratch) == MatchOutcome::kMatch);
  CHECK(Compile("(?:a|b)*?")->Match(subject, scratch) == MatchOutcome::kMatch);
  CHECK(Compile("(a|b)*c")->Match(subject, scratch) == MatchOutcome::kNoMatch);
  CHECK(Compile("[ab]+")->Match(subject, scratch) == MatchOutcome::kMatch);
  CHECK(Compile(".*x")->Match(subject, scratch) == MatchOutcome::kNoMatch);
}

TEST_CASE("a JIT stack too small for the subject is too costly, not a crash", "[pattern][limits]") {
  PatternLimits limits;
  limits.jit_stack_max_bytes = 64 * 1024;
  MatchScratch scratch(limits);
  auto compiled = CompilePattern(R"((a|b)*\1)", limits);  // the back-reference keeps captures
  REQUIRE(compiled.ok());
  CHECK(compiled.value()->Match(std::string(1'000'000, 'a'), scratch) == MatchOutcome::kTooCostly);
  CHECK(compiled.value()->Match("abb", scratch) == MatchOutcome::kMatch);
}

TEST_CASE("hostile subjects: invalid UTF-8 and NUL bytes", "[pattern][match]") {
  CHECK(MatchOf("a.b", "a\xff" "b") == MatchOutcome::kNoMatch);
  CHECK(MatchOf(".*", "\xc3") == MatchOutcome::kNoMatch);
  CHECK(MatchOf("[^a]", "\xed\xa0\x80") == MatchOutcome::kNoMatch);  // an encoded surrogate
  CHECK(MatchOf(R"(a\x00b)", std::string("a\0b", 3)) == MatchOutcome::kMatch);
  CHECK(MatchOf("a.b", std::string("a\0b", 3)) == MatchOutcome::kMatch);
  CHECK(MatchOf("é", "\xc3\xa9") == MatchOutcome::kMatch);
}

TEST_CASE("one Pattern serves many threads, each with its own scratch", "[pattern][match]") {
  auto pattern = Compile(R"((?P<k>\w+),(?P=k),\d+)");
  std::vector<int> matched(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      MatchScratch scratch;
      for (int i = 0; i < 20'000; ++i) {
        const std::string key = "k" + std::to_string(i % 7);
        const std::string other = i % 2 == 0 ? key : key + "x";
        matched[t] += pattern->Match(key + "," + other + "," + std::to_string(i), scratch) ==
                      MatchOutcome::kMatch;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : matched) CHECK(count == 10'000);
}

TEST_CASE("literal_prefix is the text every match starts with", "[pattern][prefix]") {
  auto prefix = [](const std::string& python) { return Compile(python)->literal_prefix(); };
  CHECK(prefix(R"(user,\d+)") == "user,");
  CHECK(prefix("user,42") == "user,42");
  CHECK(prefix(R"(\Auser,)") == "user,");
  CHECK(prefix(R"(^(user),(?=\d)\d)") == "user,");
  CHECK(prefix(R"((?:user),\w)") == "user,");
  CHECK(prefix(R"((?x) u s e r , \d)") == "user,");
  CHECK(prefix(R"(\x75ser)") == "user");
  CHECK(prefix("ab*") == "a");
  CHECK(prefix("ab?c") == "a");
  CHECK(prefix("ab{0,2}") == "a");
  CHECK(prefix("ab{2}c") == "ab");
  CHECK(prefix("a+b") == "a");
  CHECK(prefix("(?:ab)+c") == "ab");
  CHECK(prefix("(?>ab)c") == "abc");
  CHECK(prefix("u(?i:s)er") == "u");
  CHECK(prefix("(?i)(?-i:user)x") == "user");
  CHECK(prefix("é,1") == "\xc3\xa9,1");
  // No prefix: alternation, case-insensitivity, leading meta, conditionals.
  CHECK(prefix("a|b") == "");
  CHECK(prefix("user,1|user,2") == "");
  CHECK(prefix("(?:user|usr),1") == "");
  CHECK(prefix("(?i)user") == "");
  CHECK(prefix(R"(\d+)") == "");
  CHECK(prefix(".user") == "");
  CHECK(prefix("[u]ser") == "");
  CHECK(prefix("a*b") == "");
  CHECK(prefix("a?b") == "");
  CHECK(prefix(R"((a)\1)") == "a");
  CHECK(prefix("(a)?(?(1)b|c)") == "");
  CHECK(prefix("") == "");
}

TEST_CASE("every match really starts with the literal prefix", "[pattern][prefix]") {
  const std::vector<std::string> patterns = {R"(user,\d+)", "ab{2}c?", "(?>ab)c*", "u(?i:s)er",
                                             "(?:ab)+c", R"(a+(?=b)\w)"};
  const std::vector<std::string> subjects = {"user,1", "abb", "abbc", "abccc", "user", "uSer",
                                             "ababc", "aab", "aabx", "ab", "usEr"};
  MatchScratch scratch;
  for (const std::string& python : patterns) {
    auto pattern = Compile(python);
    for (const std::string& subject : subjects) {
      if (pattern->Match(subject, scratch) != MatchOutcome::kMatch) continue;
      INFO(python << " matched " << subject);
      CHECK(subject.rfind(pattern->literal_prefix(), 0) == 0);
    }
  }
}

TEST_CASE("match-everything shortcuts", "[pattern][prefix]") {
  CHECK(Compile("(?s).*")->matches_everything());
  CHECK(Compile("(?s:.*?)")->matches_everything());
  CHECK(Compile("(?s)(.*)")->matches_everything());
  CHECK(Compile(".*")->matches_every_single_line());
  CHECK_FALSE(Compile(".*")->matches_everything());
  CHECK(Compile("(.*)")->matches_every_single_line());
  CHECK(Compile(".*+")->matches_every_single_line());
  CHECK_FALSE(Compile(".+")->matches_every_single_line());
  CHECK_FALSE(Compile("a.*")->matches_every_single_line());
  CHECK_FALSE(Compile(".*a")->matches_every_single_line());
  CHECK_FALSE(Compile(".*|a")->matches_every_single_line());
  MatchScratch scratch;
  CHECK(Compile("(?s).*")->Match("any\nthing", scratch) == MatchOutcome::kMatch);
  CHECK(Compile(".*")->Match("any\nthing", scratch) == MatchOutcome::kNoMatch);
}

}  // namespace
}  // namespace ts
