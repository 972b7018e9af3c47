// FAULTS.jsonl: one line per fault the nemesis injected,
//   {"round":R,"kind":"kill","target":"n2","start_ns":..,"end_ns":..}
// with CLOCK_MONOTONIC nanoseconds (the clock of the history clients), start
// when the fault was injected and end when it was healed. The checker reads
// it to name a failing round's faults; the report draws them on its timeline.
// Each line is written and flushed when its fault is healed, so a run cut
// short keeps what it did.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "common/status.h"

namespace ts::launcher::chaos {

int64_t MonotonicNanos();  // CLOCK_MONOTONIC

struct FaultRecord {
  int round = 0;
  std::string kind;    // FaultKindName
  std::string target;  // settled: "n2", not "primary"
  int64_t start_ns = 0;
  int64_t end_ns = 0;
};

std::string FaultLine(const FaultRecord& record);  // one JSON line, no newline
// A line read back; the error names what is missing.
Result<FaultRecord> ParseFaultLine(const std::string& line);

class FaultLog {
 public:
  Status Open(const std::string& path);  // truncates
  void Write(const FaultRecord& record);
  const std::vector<FaultRecord>& records() const { return records_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ofstream out_;
  std::vector<FaultRecord> records_;
};

}  // namespace ts::launcher::chaos
