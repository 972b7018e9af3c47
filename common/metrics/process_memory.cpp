#include "common/metrics/process_memory.h"

#include <unistd.h>

#include <cstdio>

namespace ts::metrics {

uint64_t ResidentMemoryBytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return 0;
  unsigned long long total_pages = 0, resident_pages = 0;
  const int read = std::fscanf(statm, "%llu %llu", &total_pages, &resident_pages);
  std::fclose(statm);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (read != 2 || page_size <= 0) return 0;
  return static_cast<uint64_t>(resident_pages) * static_cast<uint64_t>(page_size);
}

}  // namespace ts::metrics
