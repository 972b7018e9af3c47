// Why a pair of a put or post was not used, in words a user can act on. The
// reply carries only the reason code; the rule broken is the spec's (SPEC
// section 1: elements are [A-Za-z0-9]+) and the limits are the space's
// (client_config.h mirrors them), so the element at fault is found here.
#include <cstdio>
#include <optional>

#include "clients/client_config.h"
#include "clients/tsctl_format.h"

namespace ts::tsctl {
namespace {

namespace cfg = client_config;

// The length of the UTF-8 sequence starting at text[i] when it is a valid,
// printable one (no C0/C1 control), else 0.
size_t PrintableUtf8At(std::string_view text, size_t i) {
  const auto byte = static_cast<unsigned char>(text[i]);
  if (byte >= 0x20 && byte < 0x7f) return 1;
  size_t length = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  if (byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) return 0;  // C1 controls
  return length;
}

// An element as typed when it is printable UTF-8; other bytes as \xNN.
std::string DisplayElement(std::string_view element) {
  std::string text;
  for (size_t i = 0; i < element.size();) {
    if (size_t length = PrintableUtf8At(element, i); length > 0 && element[i] != '\\') {
      text.append(element.substr(i, length));
      i += length;
      continue;
    }
    if (element[i] == '\\') {
      text += "\\\\";
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned char>(element[i]));
      text += escaped;
    }
    ++i;
  }
  return text;
}

std::optional<std::string> MalformedPart(const Tuple& tuple) {
  if (tuple.empty()) return "it has no elements";
  for (size_t i = 0; i < tuple.size(); ++i) {
    const std::string number = std::to_string(i + 1);
    if (tuple[i].empty()) return "element " + number + " is empty";
    for (char c : tuple[i]) {
      if (!IsAsciiAlnum(c)) return "'" + DisplayElement(tuple[i]) + "' at element " + number + " is not";
    }
  }
  return std::nullopt;
}

std::optional<std::string> TooLargePart(const Tuple& tuple, const char* side) {
  if (tuple.size() > cfg::kSpaceMaxElementsPerTuple) {
    return std::string("the ") + side + " has " + std::to_string(tuple.size()) + " elements; the limit is " +
           std::to_string(cfg::kSpaceMaxElementsPerTuple) + " per tuple";
  }
  for (size_t i = 0; i < tuple.size(); ++i) {
    if (tuple[i].size() > cfg::kSpaceMaxElementBytes) {
      return "element " + std::to_string(i + 1) + " of the " + side + " is " + std::to_string(tuple[i].size()) +
             " bytes; the limit is " + std::to_string(cfg::kSpaceMaxElementBytes) + " bytes per element";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ExplainRejection(const Rejection& rejection) {
  const Pair& pair = rejection.pair;
  switch (rejection.reason) {
    case RejectReason::kMalformed:
      for (const auto& [tuple, side] : {std::pair{&pair.key, "key"}, std::pair{&pair.value, "value"}}) {
        if (std::optional<std::string> why = MalformedPart(*tuple)) {
          return std::string("malformed ") + side +
                 ": each element is one or more ASCII letters or digits [A-Za-z0-9]; " + *why;
        }
      }
      break;
    case RejectReason::kTooLarge:
      for (const auto& [tuple, side] : {std::pair{&pair.key, "key"}, std::pair{&pair.value, "value"}}) {
        if (std::optional<std::string> why = TooLargePart(*tuple, side)) return "tuple too large: " + *why;
      }
      return "tuple too large (past the space's limit on elements per tuple or bytes per element)";
    case RejectReason::kKeyPresent:
    case RejectReason::kKeyAbsent:
    case RejectReason::kRepeatedInRequest:
      break;
  }
  return std::string(PlainRejectReason(rejection.reason));
}

std::string AbbreviatedTuple(const Tuple& tuple) {
  std::string text = DisplayTuple(tuple);
  if (text.size() <= cfg::kMaxRejectedCellChars) return text;
  text.resize(cfg::kMaxRejectedCellChars);
  return text + "... (" + std::to_string(TupleText(tuple).size()) + " bytes)";
}

}  // namespace ts::tsctl
