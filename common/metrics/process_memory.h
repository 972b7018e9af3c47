// The process's resident memory, for status and metrics: the second field of
// /proc/self/statm (resident pages) times the page size. 0 when it cannot be
// read (not Linux, or /proc not mounted): status then shows it unknown.
#pragma once

#include <cstdint>

namespace ts::metrics {

uint64_t ResidentMemoryBytes();

}  // namespace ts::metrics
