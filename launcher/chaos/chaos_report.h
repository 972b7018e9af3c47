// What a chaos run says: the checker's verdict read from its last line, the
// summary line of the run, report.txt, and the PNG timeline (gnuplot) of the
// faults against acknowledged ops/s. The parsing and the text are pure; only
// WriteReport and PlotTimeline touch files and run gnuplot.
//
// The checker's last line (tschaos-check):
//   check: ops=O acknowledged=A lost=L linearizable=yes|no primaries_per_term<=1|VIOLATED
// The run's last line:
//   chaos: rounds=N faults=F partitions=P ops=O acknowledged=A lost=L linearizable=yes|no primaries_per_term<=1|VIOLATED
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "launcher/chaos/fault_log.h"
#include "launcher/chaos/nemesis.h"

namespace ts::launcher::chaos {

struct CheckVerdict {
  int64_t ops = 0;
  int64_t acknowledged = 0;
  int64_t lost = 0;
  std::string linearizable = "unchecked";  // "yes", "no", or "unchecked" (no checker ran)
  std::string primaries = "unchecked";     // "<=1", "VIOLATED"
};

// The last "check: ..." line of the checker's output; the error names the
// field that is missing or malformed.
Result<CheckVerdict> ParseCheckOutput(const std::string& output);

struct ChaosSummary {
  int rounds = 0;
  int faults = 0;
  int partitions = 0;
  CheckVerdict verdict;
  std::string Line() const;
};

// One "second,acknowledged" line per second; lines that are not two numbers are skipped.
std::vector<std::pair<int64_t, int64_t>> ParseRateCsv(const std::string& text);

struct ReportInput {
  std::string dir;                 // the run's results folder
  std::string settings;            // seed, rounds, clients... one line each
  std::vector<RoundOutcome> rounds;
  std::string check_output;        // tschaos-check's output
  int check_exit = -1;             // -1: it did not run
  ChaosSummary summary;
  int64_t history_start_ns = 0;    // CLOCK_MONOTONIC when the history clients started (the rate's second 0)
  std::string rate_csv;            // path of RATE.csv ("" if none)
};

std::string ReportText(const ReportInput& input);
// report.txt, timeline.dat, faults.dat, timeline.gp and timeline.png (when
// gnuplot is there: the note says so when not). Returns notes for the log.
std::string WriteReport(const ReportInput& input);

}  // namespace ts::launcher::chaos
