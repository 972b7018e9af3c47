#include "common/status.h"

namespace ts {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kMalformedRequest: return "malformed_request";
    case ErrorKind::kMalformedPattern: return "malformed_pattern";
    case ErrorKind::kPatternTooCostly: return "pattern_too_costly";
    case ErrorKind::kNotImplemented: return "not_implemented";
    case ErrorKind::kTooLarge: return "too_large";
    case ErrorKind::kServiceRefused: return "service_refused";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kNotEnoughReplicas: return "not_enough_replicas";
    case ErrorKind::kInternal: return "internal";
    case ErrorKind::kHistoryGone: return "history_gone";
  }
  return "internal";
}

}  // namespace ts
