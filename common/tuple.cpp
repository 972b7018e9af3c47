#include "common/tuple.h"

namespace ts {

bool operator==(const Pair& a, const Pair& b) { return a.key == b.key && a.value == b.value; }

bool operator==(const Rejection& a, const Rejection& b) {
  return a.pair == b.pair && a.reason == b.reason;
}

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kMalformed: return "malformed";
    case RejectReason::kKeyPresent: return "key_present";
    case RejectReason::kKeyAbsent: return "key_absent";
    case RejectReason::kRepeatedInRequest: return "repeated_in_request";
    case RejectReason::kTooLarge: return "too_large";
  }
  return "malformed";
}

bool IsWellFormedTuple(const Tuple& tuple) {
  if (tuple.empty()) return false;
  for (const std::string& element : tuple) {
    if (element.empty()) return false;
    for (char c : element) {
      if (!IsAsciiAlnum(c)) return false;
    }
  }
  return true;
}

std::string TupleText(const Tuple& tuple) {
  std::string text;
  for (size_t i = 0; i < tuple.size(); ++i) {
    if (i > 0) text += ',';
    text += tuple[i];
  }
  return text;
}

Tuple SplitTupleText(std::string_view text) {
  Tuple tuple;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) {
      tuple.emplace_back(text.substr(start));
      return tuple;
    }
    tuple.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
}

bool IsWellFormedTupleText(std::string_view text) {
  if (text.empty()) return false;
  bool element_has_char = false;
  for (char c : text) {
    if (c == ',') {
      if (!element_has_char) return false;
      element_has_char = false;
    } else if (IsAsciiAlnum(c)) {
      element_has_char = true;
    } else {
      return false;
    }
  }
  return element_has_char;
}

}  // namespace ts
