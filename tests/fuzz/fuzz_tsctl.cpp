// libFuzzer harness: tsctl's command language (clients/tsctl_command.h) and
// the tuple text it is written in (common/tuple.h). Input
// (tests/fuzz/fuzz_input.h): a mode byte, then a prompt line
// (SplitCommandLine, then ParseCommand) or NUL-separated words (ParseCommand
// straight away, as a one-shot `tsctl WORD ...` gets them).
// Properties: nothing throws; every failure is kMalformedRequest with a
// message; split words quoted again split back to the same words; every word
// survives SplitTupleText + TupleText, and IsWellFormedTupleText agrees with
// IsWellFormedTuple; DecodeHex accepts exactly an even count of hex digits and
// hex-encodes back to the same digits; a parsed request round-trips the
// request codec; a put-raw list encodes to a frame that decodes (with a pair
// list error exactly when the count is odd).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "clients/raw_request.h"
#include "clients/tsctl_command.h"
#include "common/tuple.h"
#include "schema/codec.h"
#include "tests/codec/codec_samples.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace ts;

void CheckUsageError(const Error& error) {
  FUZZ_CHECK(error.kind == ErrorKind::kMalformedRequest, error.message);
  FUZZ_CHECK(!error.message.empty(), "");
}

// The word in "..." with the two escapes SplitCommandLine knows.
std::string DoubleQuoted(const std::string& word) {
  std::string quoted = "\"";
  for (char c : word) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::string LowerHex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

void CheckWord(const std::string& word) {
  const Tuple tuple = SplitTupleText(word);
  FUZZ_CHECK(TupleText(tuple) == word, "tuple text does not round-trip: '" + word + "'");
  FUZZ_CHECK(IsWellFormedTupleText(word) == IsWellFormedTuple(tuple), "well-formedness of '" + word + "'");

  Result<std::string> bytes = tsctl::DecodeHex(word);
  bool all_hex = word.size() % 2 == 0;
  for (char c : word) all_hex = all_hex && IsHexDigit(c);
  FUZZ_CHECK(bytes.ok() == all_hex, "DecodeHex on '" + word + "'");
  if (bytes.ok()) {
    std::string lower = word;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(LowerHex(bytes.value()) == lower, "DecodeHex does not round-trip '" + word + "'");
  } else {
    CheckUsageError(bytes.error());
  }
}

void CheckRequestRoundTrip(const Request& request) {
  Result<Request> decoded = DecodeRequest(EncodeRequest(request));
  FUZZ_CHECK(decoded.ok(), decoded.error().message);
  const std::string difference = codec_test::RequestDifference(request, decoded.value());
  FUZZ_CHECK(difference.empty(), "a parsed request re-decodes differently in " + difference);
}

void CheckCommand(const std::vector<std::string>& words) {
  for (const std::string& word : words) CheckWord(word);
  Result<tsctl::Command> parsed = tsctl::ParseCommand(words);
  if (!parsed.ok()) {
    CheckUsageError(parsed.error());
    return;
  }
  const tsctl::Command& command = parsed.value();
  switch (command.kind) {
    case tsctl::CommandKind::kRequest:
    case tsctl::CommandKind::kStatus:
      CheckRequestRoundTrip(command.request);
      break;
    case tsctl::CommandKind::kPutRaw: {
      Result<Request> decoded =
          DecodeRequest(EncodePurportedPairList(RequestId{1, 2}, "PUT", command.raw_items));
      FUZZ_CHECK(decoded.ok(), decoded.error().message);
      const bool odd = command.raw_items.size() % 2 != 0;
      FUZZ_CHECK(decoded.value().pair_list_error.has_value() == odd, "pair list error on an even count or none on odd");
      if (!odd) FUZZ_CHECK(decoded.value().pairs.size() * 2 == command.raw_items.size(), "put-raw pair count");
      break;
    }
    case tsctl::CommandKind::kHelp:
      FUZZ_CHECK(!tsctl::HelpText(command.help_topic).empty(), "empty help");
      break;
    case tsctl::CommandKind::kNothing:
      FUZZ_CHECK(words.empty(), "words parsed to nothing");
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text = ts::fuzz::AsView(data + 1, size - 1);
  if ((data[0] & fuzz_input::kTsctlWordsMode) != 0) {
    CheckCommand(fuzz_input::SplitOnNul(text));
    return 0;
  }
  Result<std::vector<std::string>> words = tsctl::SplitCommandLine(text);
  if (!words.ok()) {
    CheckUsageError(words.error());
    FUZZ_CHECK(words.error().message.rfind("unclosed ", 0) == 0, words.error().message);
    return 0;
  }
  std::string requoted;
  for (const std::string& word : words.value()) requoted += DoubleQuoted(word) + " ";
  Result<std::vector<std::string>> again = tsctl::SplitCommandLine(requoted);
  FUZZ_CHECK(again.ok() && again.value() == words.value(), "quoted words split differently: " + requoted);
  CheckCommand(words.value());
  return 0;
}
