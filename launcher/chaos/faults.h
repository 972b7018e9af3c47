// The nemesis's faults file (FAULTS.jsonl, written by the campaign): one JSON
// object per line with "start_ns" and "end_ns" (CLOCK_MONOTONIC, as in the
// history; "end_ns" absent or null: not healed) and anything else, e.g.
// "description". The checker prints, as written, the faults that overlap a
// failing window.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace ts::chaos {

struct Fault {
  int64_t start_ns = 0;
  int64_t end_ns = 0;  // INT64_MAX when not healed
  std::string text;    // the line as written
};

// Errors are "NAME:LINE: what is wrong".
Result<std::vector<Fault>> ParseFaults(const std::string& text, const std::string& name);
Result<std::vector<Fault>> ReadFaults(const std::string& path);

// The faults active at some time in [from_ns, to_ns].
std::vector<Fault> Overlapping(const std::vector<Fault>& faults, int64_t from_ns, int64_t to_ns);

}  // namespace ts::chaos
