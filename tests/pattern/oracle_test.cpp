// The Python oracle: ts::Pattern must give re.fullmatch's verdict (compile
// error / match / no match, and Python's error position) on every corpus case,
// and agree with Python on every code point for the character categories and
// on every cased code point for case-insensitive matching. Python is asked at
// test time; no expected verdict is stored.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <catch2/catch.hpp>
#include <pcre2.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "nodes/pattern/pattern.h"
#include "nodes/pattern/pattern_syntax.h"
#include "nodes/pattern/pattern_translate.h"
#include "tests/pattern/python_oracle.h"

namespace ts {
namespace {

using testing::RunOracle;
using testing::SplitTabs;
using testing::Unhex;

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Utf8(char32_t c) {
  std::string out;
  pattern_syntax::AppendUtf8(c, &out);
  return out;
}

// Runs one PCRE2 form of a translation directly, so that both forms (general
// UTF and ASCII-subject) are held to Python on every text, whichever one
// Pattern::Match would pick for it.
std::string MatchForm(const std::string& pcre2_source, uint32_t options, const std::string& text) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pcre2_source.data()),
                                   pcre2_source.size(), options, &error, &offset, nullptr);
  if (code == nullptr) return "pcre2 compile error " + std::to_string(error);
  pcre2_match_data* data = pcre2_match_data_create(1, nullptr);
  const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0,
                             data, nullptr);
  pcre2_match_data_free(data);
  pcre2_code_free(code);
  return rc >= 0 ? "match" : rc == PCRE2_ERROR_NOMATCH ? "nomatch" : "pcre2 error " + std::to_string(rc);
}

bool IsAsciiText(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::string Outcome(MatchOutcome outcome) {
  switch (outcome) {
    case MatchOutcome::kMatch: return "match";
    case MatchOutcome::kNoMatch: return "nomatch";
    case MatchOutcome::kTooCostly: return "too costly";
  }
  return "?";
}

// TS_RE_CORPUS=<file> runs the same comparison on another corpus (used to
// fuzz the translator with generated patterns).
std::string CorpusPath() {
  const char* other = std::getenv("TS_RE_CORPUS");
  return other != nullptr ? other : TS_TEST_DATA_DIR "/re_corpus.txt";
}

TEST_CASE("every corpus case gets Python's re.fullmatch verdict", "[pattern][oracle]") {
  const std::string version = RunOracle("--version").at(0);
  if (version.rfind("3.11.", 0) != 0) {
    WARN("the oracle is Python " << version << "; the translator follows Python 3.11's re");
  }
  INFO("oracle: Python " << version);
  const auto lines = RunOracle("'" + CorpusPath() + "'");
  MatchScratch scratch;
  size_t cases = 0;
  std::set<std::string> invalid_patterns;
  for (const std::string& line : lines) {
    const auto fields = SplitTabs(line);
    REQUIRE(fields.size() == 6);
    ++cases;
    const std::string pattern = Unhex(fields[1]);
    const bool has_text = fields[2] != "none";
    const std::string text = has_text ? Unhex(fields[2]) : "";
    const std::string& python = fields[3];
    const long python_pos = std::stol(fields[4]);
    auto compiled = CompilePattern(pattern);
    std::ostringstream ours;
    if (!compiled.ok()) {
      ours << "error: " << compiled.error().message;
    } else if (has_text) {
      ours << Outcome(compiled.value()->Match(text, scratch)) << " (pcre2: "
           << compiled.value()->pcre2_source() << ")";
    } else {
      ours << "compiled (pcre2: " << compiled.value()->pcre2_source() << ")";
    }
    const std::string where = "corpus line " + fields[0] + ": pattern \"" + pattern + "\"" +
                              (has_text ? ", text \"" + text + "\"" : "") + "\n  python: " +
                              python + (python == "error" ? " at " + fields[4] + ": " + Unhex(fields[5]) : "") +
                              "\n  ours:   " + ours.str();
    if (python == "error") {
      invalid_patterns.insert(pattern);
      if (compiled.ok()) {
        FAIL_CHECK(where);
        continue;
      }
      auto translated = pattern_syntax::TranslatePython(pattern);
      const auto* error = std::get_if<pattern_syntax::SyntaxError>(&translated);
      if (python_pos >= 0 && (error == nullptr || static_cast<long>(error->offset) != python_pos)) {
        FAIL_CHECK(where + "\n  (error positions differ)");
      }
      continue;
    }
    if (!compiled.ok()) {
      FAIL_CHECK(where);
      continue;
    }
    if (!has_text) continue;
    if (Outcome(compiled.value()->Match(text, scratch)) != python) FAIL_CHECK(where);
    const auto translated = pattern_syntax::TranslatePython(pattern);
    const auto& translation = std::get<pattern_syntax::Translation>(translated);
    const std::string general = MatchForm(translation.pcre2, pattern_syntax::kPcre2CompileOptions, text);
    if (general != python) FAIL_CHECK(where + "\n  general form: " + general);
    if (IsAsciiText(text)) {
      const std::string ascii =
          MatchForm(translation.pcre2_ascii, pattern_syntax::kPcre2AsciiCompileOptions, text);
      if (ascii != python) FAIL_CHECK(where + "\n  ASCII form (" + translation.pcre2_ascii + "): " + ascii);
    }
  }
  INFO("the corpus must stay broad: at least 300 cases, 60 of them invalid patterns");
  if (std::getenv("TS_RE_CORPUS") == nullptr) {
    CHECK(cases >= 300);
    CHECK(invalid_patterns.size() >= 60);
  }
}

// Ranges "lo-hi" of the code points (surrogates excluded) a pattern fullmatches.
std::string OurCodeRanges(const Pattern& pattern, MatchScratch& scratch) {
  std::string ranges;
  long start = -1;
  char buffer[48];
  for (char32_t c = 0; c <= 0x110000; ++c) {
    const bool inside = c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF) &&
                        pattern.Match(Utf8(c), scratch) == MatchOutcome::kMatch;
    if (inside && start < 0) start = static_cast<long>(c);
    if (!inside && start >= 0) {
      std::snprintf(buffer, sizeof buffer, "%s%lx-%x", ranges.empty() ? "" : " ", start,
                    static_cast<unsigned>(c - 1));
      ranges += buffer;
      start = -1;
    }
  }
  return ranges;
}

TEST_CASE("categories, classes and boundaries agree with Python on every code point",
          "[pattern][oracle][unicode]") {
  const std::vector<std::string> patterns = {
      R"(\w)",        R"(\d)",          R"(\s)",         R"(\S)",         R"(\b.)",
      R"((?a)\w)",    R"((?a)\s)",      R"((?a)\b.)",    R"([^\S\d])",     R"((?i)[\W])",
      R"((?i)[^a-z])", R"((?i)[\u0370-\u03ff])", R"((?i)[\U00010400-\U0001044f])",
      R"((?ai)[^k])",  R"(.)",
  };
  std::string arguments = "--codepoints";
  for (const std::string& pattern : patterns) arguments += " " + Hex(pattern);
  const auto lines = RunOracle(arguments);
  REQUIRE(lines.size() == patterns.size());
  MatchScratch scratch;
  for (size_t i = 0; i < patterns.size(); ++i) {
    const auto fields = SplitTabs(lines[i]);
    REQUIRE(fields.size() == 2);
    auto compiled = CompilePattern(patterns[i]);
    INFO("pattern " << patterns[i]);
    REQUIRE(compiled.ok());
    INFO("pcre2 " << compiled.value()->pcre2_source());
    CHECK(OurCodeRanges(*compiled.value(), scratch) == fields[1]);
  }
}

std::string OurCaseMatches(const std::string& pattern, const std::vector<char32_t>& cased,
                           char32_t self, MatchScratch& scratch) {
  auto compiled = CompilePattern(pattern);
  if (!compiled.ok()) return "error: " + compiled.error().message;
  std::string matches;
  char buffer[16];
  for (char32_t other : cased) {
    if (other == self || compiled.value()->Match(Utf8(other), scratch) != MatchOutcome::kMatch) {
      continue;
    }
    std::snprintf(buffer, sizeof buffer, "%s%x", matches.empty() ? "" : ",", static_cast<unsigned>(other));
    matches += buffer;
  }
  return matches.empty() ? "-" : matches;
}

TEST_CASE("case-insensitive literals and classes agree with Python for every cased code point",
          "[pattern][oracle][unicode]") {
  const auto lines = RunOracle("--casefold");
  std::vector<char32_t> cased;
  std::istringstream list(lines[0]);
  std::string code;
  while (list >> code) cased.push_back(static_cast<char32_t>(std::stoul(code, nullptr, 16)));
  REQUIRE(cased.size() > 2000);
  REQUIRE(lines.size() == cased.size() + 1);
  MatchScratch scratch;
  char escape[16];
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto fields = SplitTabs(lines[i]);
    REQUIRE(fields.size() == 3);
    const char32_t self = static_cast<char32_t>(std::stoul(fields[0], nullptr, 16));
    std::snprintf(escape, sizeof escape, "\\U%08x", static_cast<unsigned>(self));
    INFO("code point " << fields[0]);
    CHECK(OurCaseMatches(std::string("(?i)") + escape, cased, self, scratch) == fields[1]);
    CHECK(OurCaseMatches(std::string("(?i)[") + escape + "]", cased, self, scratch) == fields[2]);
  }
}

}  // namespace
}  // namespace ts
