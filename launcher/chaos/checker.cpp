#include "launcher/chaos/checker.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "launcher/chaos/key_history.h"
#include "launcher/chaos/lost_writes.h"

namespace ts::chaos {
namespace {

std::string Seen(const std::optional<std::string>& value) { return value ? "\"" + *value + "\"" : "no pair"; }

void PrintFaults(std::ostream& out, const std::vector<Fault>& faults, int64_t from_ns, int64_t to_ns) {
  std::vector<Fault> active = Overlapping(faults, from_ns, to_ns);
  if (active.empty()) {
    out << "  faults overlapping it: none\n";
    return;
  }
  out << "  faults overlapping it:\n";
  for (const Fault& fault : active) out << "    " << fault.text << "\n";
}

void PrintOperation(std::ostream& out, const Operation& op) {
  out << "    " << op.invoke_line << ": " << op.invoke_text << "\n";
  if (op.complete_line != 0) out << "    " << op.complete_line << ": " << op.complete_text << "\n";
  else out << "    (no completion: unknown)\n";
}

// The window's time span, over finite completions.
std::pair<int64_t, int64_t> Span(const std::vector<KeyOp>& window) {
  int64_t from = window.front().invoke_ns, to = window.front().invoke_ns;
  for (const KeyOp& op : window) {
    from = std::min(from, op.invoke_ns);
    to = std::max(to, op.complete_ns == kNeverCompleted ? op.invoke_ns : op.complete_ns);
  }
  return {from, to};
}

}  // namespace

std::string CheckReport::SummaryLine() const {
  const char* verdict = linearizable == Verdict::kLinearizable ? "yes"
                        : linearizable == Verdict::kNotLinearizable ? "no" : "unknown";
  return "check: ops=" + std::to_string(ops) + " acknowledged=" + std::to_string(acknowledged) +
         " lost=" + std::to_string(lost) + " linearizable=" + verdict +
         " primaries_per_term" + (primaries_ok ? "<=1" : "=VIOLATED");
}

CheckReport RunCheck(const CheckInputs& inputs) {
  const History& history = inputs.history;
  CheckReport report;
  std::ostringstream out;
  report.ops = history.ops.size();
  for (const Operation& op : history.ops)
    if (op.outcome == Outcome::kOk) ++report.acknowledged;

  const KeyHistories keys = SplitByKey(history);
  report.keys = keys.size();

  // (a) lost writes.
  for (const LostWrite& lost : FindLostWrites(keys)) {
    ++report.lost;
    const Operation& write = history.ops[lost.write_op];
    const Operation& read = history.ops[lost.read_op];
    out << "LOST WRITE: key " << lost.key << ": " << FnName(write.f) << " of \"" << write.value
        << "\" acknowledged at " << inputs.history_name << ":" << write.complete_line << ", but the "
        << FnName(read.f) << " at " << inputs.history_name << ":" << read.invoke_line << " saw " << Seen(lost.seen)
        << " and nothing in between could have changed the key\n";
    PrintOperation(out, write);
    PrintOperation(out, read);
    PrintFaults(out, inputs.faults, write.invoke_ns, read.complete_ns);
  }

  // (b) linearizability, key by key.
  for (const auto& [key, ops] : keys) {
    KeyCheck check = CheckKeyLinearizable(ops, inputs.max_states);
    report.states += check.states;
    if (check.verdict == Verdict::kGaveUp) {
      if (report.linearizable == Verdict::kLinearizable) report.linearizable = Verdict::kGaveUp;
      out << "GAVE UP: key " << key << ": the search passed " << inputs.max_states << " states over " << ops.size()
          << " operations (raise --max-states)\n";
      continue;
    }
    if (check.verdict == Verdict::kLinearizable) continue;
    report.linearizable = Verdict::kNotLinearizable;
    std::vector<KeyOp> window = ShrinkFailure(ops, inputs.max_states, &check);
    out << "NOT LINEARIZABLE: key " << key << " (" << ops.size()
        << " operations); smallest failing window, " << window.size() << " operations:\n";
    std::set<size_t> printed;
    for (const KeyOp& op : window) {
      if (printed.size() == kMaxPrintedWindowOps) {
        out << "    ... and " << window.size() - printed.size() << " more\n";
        break;
      }
      if (printed.insert(op.op).second) PrintOperation(out, history.ops[op.op]);
    }
    auto [from, to] = Span(window);
    PrintFaults(out, inputs.faults, from, to);
  }

  // (c) one primary per term, from the brokers' logs and the replies.
  std::vector<PrimaryClaim> claims = inputs.claims;
  std::vector<PrimaryClaim> served = ClaimsFromHistory(history, inputs.history_name);
  claims.insert(claims.end(), served.begin(), served.end());
  for (const TermConflict& conflict : FindTermConflicts(claims)) {
    report.primaries_ok = false;
    out << "TWO PRIMARIES: term " << conflict.term << " had " << conflict.claims.size() << " primaries:";
    for (const PrimaryClaim& claim : conflict.claims) out << " node " << claim.node << " (" << claim.source << ")";
    out << "\n";
  }

  out << "searched " << report.keys << " keys, " << report.states << " states\n";
  report.details = out.str();
  return report;
}

}  // namespace ts::chaos
