#include "launcher/chaos/chaos_report.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "launcher/chaos/nemesis_plan.h"
#include "launcher/chaos/netns.h"

namespace ts::launcher::chaos {
namespace {

Error VerdictError(const std::string& message) { return Error{ErrorKind::kMalformedRequest, message}; }

std::optional<int64_t> Number(const std::string& text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double Seconds(int64_t ns, int64_t origin_ns) { return static_cast<double>(ns - origin_ns) / 1e9; }

}  // namespace

Result<CheckVerdict> ParseCheckOutput(const std::string& output) {
  std::string last;
  std::stringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("check: ", 0) == 0) last = line;
  }
  if (last.empty()) return VerdictError("the checker printed no 'check: ...' line");
  CheckVerdict verdict;
  std::stringstream words(last.substr(7));
  bool seen[5] = {};
  for (std::string word; words >> word;) {
    if (word.rfind("primaries_per_term", 0) == 0) {
      verdict.primaries = word.substr(std::string("primaries_per_term").size());
      if (verdict.primaries.rfind('=', 0) == 0) verdict.primaries = verdict.primaries.substr(1);
      seen[4] = true;
      continue;
    }
    const size_t equals = word.find('=');
    if (equals == std::string::npos) continue;
    const std::string name = word.substr(0, equals);
    const std::string value = word.substr(equals + 1);
    if (name == "linearizable") {
      verdict.linearizable = value;
      seen[3] = true;
      continue;
    }
    int64_t* field = name == "ops" ? &verdict.ops
                     : name == "acknowledged" ? &verdict.acknowledged
                     : name == "lost" ? &verdict.lost : nullptr;
    if (field == nullptr) continue;
    std::optional<int64_t> number = Number(value);
    if (!number) return VerdictError("the checker's " + name + "='" + value + "' is not a number: " + last);
    *field = *number;
    seen[name == "ops" ? 0 : name == "acknowledged" ? 1 : 2] = true;
  }
  const char* names[] = {"ops", "acknowledged", "lost", "linearizable", "primaries_per_term"};
  for (int i = 0; i < 5; ++i) {
    if (!seen[i]) return VerdictError(std::string("the checker's line lacks ") + names[i] + ": " + last);
  }
  return verdict;
}

std::string ChaosSummary::Line() const {
  return "chaos: rounds=" + std::to_string(rounds) + " faults=" + std::to_string(faults) +
         " partitions=" + std::to_string(partitions) + " ops=" + std::to_string(verdict.ops) +
         " acknowledged=" + std::to_string(verdict.acknowledged) + " lost=" + std::to_string(verdict.lost) +
         " linearizable=" + verdict.linearizable + " primaries_per_term" +
         (verdict.primaries == "<=1" ? "<=1" : verdict.primaries == "unchecked" ? "=unchecked" : "=" + verdict.primaries);
}

std::vector<std::pair<int64_t, int64_t>> ParseRateCsv(const std::string& text) {
  std::vector<std::pair<int64_t, int64_t>> rate;
  std::stringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t comma = line.find(',');
    if (comma == std::string::npos) continue;
    std::optional<int64_t> second = Number(line.substr(0, comma));
    // tschaos-history writes "second,acknowledged,start_ns": the fields after
    // the second are not the timeline's.
    const size_t next = line.find(',', comma + 1);
    std::optional<int64_t> acknowledged =
        Number(line.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1));
    if (second && acknowledged) rate.emplace_back(*second, *acknowledged);
  }
  return rate;
}

std::string ReportText(const ReportInput& input) {
  std::ostringstream text;
  text << "tuplestar fault campaign (tschaos)\n\n" << input.settings << "\n";
  text << "round  faults (kind target, standing ms)                          recovery ms  primary, note\n";
  for (const RoundOutcome& round : input.rounds) {
    std::string faults;
    for (const FaultRecord& fault : round.faults) {
      faults += (faults.empty() ? "" : " + ") + fault.kind + " " + fault.target + " (" +
                std::to_string((fault.end_ns - fault.start_ns) / 1'000'000) + ")";
    }
    char line[64];
    std::snprintf(line, sizeof line, "%5d  ", round.round);
    text << line << faults << std::string(faults.size() < 60 ? 60 - faults.size() : 1, ' ')
         << (round.healed ? std::to_string(round.recovery.count()) : std::string("NOT HEALED")) << "  "
         << (round.primary.empty() ? "no primary at the start" : "primary " + round.primary) << " " << round.note
         << "\n";
  }
  text << "\nchecker (tschaos-check";
  if (input.check_exit < 0) {
    text << "): did not run\n";
  } else {
    text << ", exit " << input.check_exit << "):\n" << input.check_output;
    if (!input.check_output.empty() && input.check_output.back() != '\n') text << "\n";
  }
  text << "\n" << input.summary.Line() << "\n";
  return text.str();
}

std::string WriteReport(const ReportInput& input) {
  std::string notes;
  const std::string report = input.dir + "/report.txt";
  if (!WriteFile(report, ReportText(input))) notes += "cannot write " + report + "\n";
  // The timeline: acknowledged ops/s per second, the faults as bands.
  std::string rate_lines;
  for (const auto& [second, acknowledged] : ParseRateCsv(input.rate_csv.empty() ? "" : ReadFile(input.rate_csv))) {
    rate_lines += std::to_string(second) + " " + std::to_string(acknowledged) + "\n";
  }
  WriteFile(input.dir + "/timeline.dat", rate_lines.empty() ? "0 0\n" : rate_lines);
  std::ostringstream script;
  script << "set terminal pngcairo size 1400,520 noenhanced\n"
         << "set output '" << input.dir << "/timeline.png'\n"
         << "set title 'faults (bands: red = process, blue = network) against acknowledged ops/s'\n"
         << "set xlabel 'seconds since the clients started'\nset ylabel 'acknowledged ops/s'\n"
         << "set xrange [0:*]\nset yrange [0:*]\nset grid\nset key outside below\n";
  int object = 1;
  for (const RoundOutcome& round : input.rounds) {
    for (const FaultRecord& fault : round.faults) {
      const bool network = fault.kind != "kill" && fault.kind != "pause" && fault.kind != "crash-all";
      script << "set object " << object++ << " rect from " << Seconds(fault.start_ns, input.history_start_ns)
             << ",graph 0 to " << Seconds(fault.end_ns, input.history_start_ns) << ",graph 1 behind fc rgb '"
             << (network ? "#9ab8e8" : "#e8a09a") << "' fs transparent solid 0.5 noborder\n";
    }
    // The round's faults, rotated, at its start: which faults a dip belongs to.
    if (round.faults.empty()) continue;
    std::string label;
    for (const FaultRecord& fault : round.faults) label += (label.empty() ? "" : " + ") + fault.kind + " " + fault.target;
    script << "set label " << round.round << " '" << label << "' at "
           << Seconds(round.faults.front().start_ns, input.history_start_ns)
           << ",graph 0.98 rotate by -90 font ',8' front\n";
  }
  script << "plot '" << input.dir << "/timeline.dat' using 1:2 with lines lw 2 lc rgb '#202020' title 'acknowledged ops/s'\n";
  const std::string script_path = input.dir + "/timeline.gp";
  WriteFile(script_path, script.str());
  Result<std::string> plotted = RunCommand({"gnuplot", script_path});
  if (!plotted.ok()) notes += "no timeline.png: " + plotted.error().message + "\n";
  return notes;
}

}  // namespace ts::launcher::chaos
