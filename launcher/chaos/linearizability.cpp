#include "launcher/chaos/linearizability.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>

namespace ts::chaos {
namespace {

// Register states: a value's index in the interned table, or one of these.
constexpr int kAbsent = -1;
constexpr int kOtherValue = -2;  // present with a value no operation observed or wrote

struct ModelOp {
  KeyOp::Kind kind;
  KeyOp::Effect effect;
  int value;            // put/post: the value written
  bool observed_known;  // read/delete
  int observed;         // kAbsent or a value
};

// One step of the register: false when `op` cannot happen in state `state`.
bool Step(const ModelOp& op, int state, int* next) {
  const bool present = state != kAbsent;
  switch (op.kind) {
    case KeyOp::Kind::kPut:
      if (op.effect == KeyOp::Effect::kApplied && present) return false;
      if (op.effect == KeyOp::Effect::kRejected && !present) return false;
      *next = present ? state : op.value;
      return true;
    case KeyOp::Kind::kPost:
      if (op.effect == KeyOp::Effect::kApplied && !present) return false;
      if (op.effect == KeyOp::Effect::kRejected && present) return false;
      *next = present ? op.value : state;
      return true;
    case KeyOp::Kind::kRead:
      if (op.observed_known && op.observed != state) return false;
      *next = state;
      return true;
    case KeyOp::Kind::kDelete:
      if (op.observed_known && op.observed != state) return false;
      *next = kAbsent;
      return true;
  }
  return false;
}

struct Interned {
  std::vector<ModelOp> ops;
  std::map<std::string, int> values;
};

Interned Intern(const std::vector<KeyOp>& ops) {
  Interned out;
  auto id = [&](const std::string& value) {
    auto [it, added] = out.values.emplace(value, static_cast<int>(out.values.size()));
    return it->second;
  };
  for (const KeyOp& op : ops) {
    ModelOp model{op.kind, op.effect, kAbsent, op.observed_known, kAbsent};
    if (op.kind == KeyOp::Kind::kPut || op.kind == KeyOp::Kind::kPost) model.value = id(op.value);
    if (op.observed_known && op.observed) model.observed = id(*op.observed);
    out.ops.push_back(model);
  }
  return out;
}

// A memoised (linearized set, state), compact: the search linearizes
// roughly in invoke order, so the set is a run of full words, a few mixed
// ones, then zeros; only the mixed middle is stored. That keeps a state a
// few words long however long the history is.
struct Memo {
  uint32_t full_words = 0;      // leading words with every bit set
  std::vector<uint64_t> rest;   // then up to the last non-zero word
  int state = 0;
  bool operator==(const Memo& other) const {
    return state == other.state && full_words == other.full_words && rest == other.rest;
  }
};

Memo MakeMemo(const std::vector<uint64_t>& linearized, int state) {
  size_t first = 0;
  while (first < linearized.size() && linearized[first] == ~uint64_t{0}) ++first;
  size_t end = linearized.size();
  while (end > first && linearized[end - 1] == 0) --end;
  Memo memo;
  memo.full_words = static_cast<uint32_t>(first);
  memo.rest.assign(linearized.begin() + static_cast<std::ptrdiff_t>(first),
                   linearized.begin() + static_cast<std::ptrdiff_t>(end));
  memo.state = state;
  return memo;
}

struct MemoHash {
  size_t operator()(const Memo& memo) const {
    uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(memo.state + 2) ^ (uint64_t{memo.full_words} << 32);
    for (uint64_t word : memo.rest) h = (h ^ word) * 1099511628211ull + (h >> 29);
    return static_cast<size_t>(h);
  }
};

// The doubly linked list of call and return entries, in time order.
struct Entry {
  int op = -1;
  bool call = false;
  int64_t time = 0;
  int prev = -1;
  int next = -1;
  int match = -1;  // a call's return entry
};

class Search {
 public:
  Search(const std::vector<KeyOp>& ops, size_t max_states) : model_(Intern(ops)), max_states_(max_states) {
    struct Event {
      int64_t time;
      bool call;
      int op;
    };
    std::vector<Event> events;
    for (size_t i = 0; i < ops.size(); ++i) {
      events.push_back({ops[i].invoke_ns, true, static_cast<int>(i)});
      events.push_back({ops[i].complete_ns, false, static_cast<int>(i)});
    }
    // Calls before returns at the same time: ties are concurrent.
    std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
      if (a.time != b.time) return a.time < b.time;
      return a.call && !b.call;
    });
    entries_.resize(events.size() + 1);  // entries_[0] is the head
    std::vector<int> call_of(ops.size(), -1);
    for (size_t i = 0; i < events.size(); ++i) {
      Entry& entry = entries_[i + 1];
      entry.op = events[i].op;
      entry.call = events[i].call;
      entry.time = events[i].time;
      entry.prev = static_cast<int>(i);
      entry.next = i + 1 < events.size() ? static_cast<int>(i + 2) : -1;
      if (entry.call) call_of[entry.op] = static_cast<int>(i + 1);
      else entries_[call_of[entry.op]].match = static_cast<int>(i + 1);
    }
    entries_[0].next = events.empty() ? -1 : 1;
  }

  // Values some read or delete saw that no write here wrote: values are
  // unique per write, so only these (or none, or one nobody saw) can be the
  // state before these operations.
  std::vector<int> InheritableValues() const {
    std::vector<bool> written(model_.values.size(), false);
    for (const ModelOp& op : model_.ops)
      if (op.kind == KeyOp::Kind::kPut || op.kind == KeyOp::Kind::kPost) written[op.value] = true;
    std::vector<int> out;
    for (const ModelOp& op : model_.ops)
      if (op.observed_known && op.observed != kAbsent && !written[op.observed]) out.push_back(op.observed);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  KeyCheck Run(int initial_state) {
    KeyCheck check;
    std::unordered_set<Memo, MemoHash> memo;
    std::vector<uint64_t> linearized((model_.ops.size() + 63) / 64, 0);
    std::vector<std::pair<int, int>> stack;  // (call entry, state before it)
    int state = initial_state;
    int entry = entries_[0].next;
    while (entries_[0].next != -1) {
      const Entry& current = entries_[entry];
      if (current.call) {
        int next_state = 0;
        if (Step(model_.ops[current.op], state, &next_state)) {
          const uint64_t bit = uint64_t{1} << (current.op % 64);
          linearized[current.op / 64] |= bit;
          if (memo.insert(MakeMemo(linearized, next_state)).second) {
            if (memo.size() > max_states_) {
              check.verdict = Verdict::kGaveUp;
              check.states = memo.size();
              Restore(stack);
              return check;
            }
            stack.emplace_back(entry, state);
            state = next_state;
            Lift(entry);
            entry = entries_[0].next;
            continue;
          }
          linearized[current.op / 64] &= ~bit;
        }
        entry = current.next;
        continue;
      }
      // A return whose call is not linearized yet: undo the last choice.
      check.stuck_ns = std::max(check.stuck_ns, current.time);
      if (stack.empty()) {
        check.verdict = Verdict::kNotLinearizable;
        check.states = memo.size();
        return check;
      }
      auto [call_entry, previous_state] = stack.back();
      stack.pop_back();
      state = previous_state;
      const int op = entries_[call_entry].op;
      linearized[op / 64] &= ~(uint64_t{1} << (op % 64));
      Unlift(call_entry);
      entry = entries_[call_entry].next;
    }
    check.states = memo.size();
    Restore(stack);
    return check;
  }

 private:
  void Unlink(int e) {
    entries_[entries_[e].prev].next = entries_[e].next;
    if (entries_[e].next != -1) entries_[entries_[e].next].prev = entries_[e].prev;
  }
  void Relink(int e) {
    entries_[entries_[e].prev].next = e;
    if (entries_[e].next != -1) entries_[entries_[e].next].prev = e;
  }
  void Lift(int call) {
    Unlink(call);
    Unlink(entries_[call].match);
  }
  void Unlift(int call) {
    Relink(entries_[call].match);
    Relink(call);
  }
  // Puts the list back as built, so the next Run starts from the same list.
  void Restore(std::vector<std::pair<int, int>>& stack) {
    while (!stack.empty()) {
      Unlift(stack.back().first);
      stack.pop_back();
    }
  }

  Interned model_;
  size_t max_states_;
  std::vector<Entry> entries_;
};

Verdict Combine(Verdict a, Verdict b) {
  if (a == Verdict::kLinearizable || b == Verdict::kLinearizable) return Verdict::kLinearizable;
  if (a == Verdict::kGaveUp || b == Verdict::kGaveUp) return Verdict::kGaveUp;
  return Verdict::kNotLinearizable;
}

// Windows tried when shrinking, from the end of the failing prefix: bounds the
// shrink to a few hundred small searches.
constexpr size_t kMaxWindowScan = 400;

bool Fails(const KeyCheck& check) { return check.verdict == Verdict::kNotLinearizable; }

}  // namespace

KeyCheck CheckKeyLinearizable(const std::vector<KeyOp>& ops, size_t max_states) {
  return Search(ops, max_states).Run(kAbsent);
}

KeyCheck CheckKeyFromAnyState(const std::vector<KeyOp>& ops, size_t max_states) {
  Search search(ops, max_states);
  KeyCheck total{Verdict::kNotLinearizable, 0};
  std::vector<int> initial = {kAbsent, kOtherValue};
  for (int value : search.InheritableValues()) initial.push_back(value);
  for (int state : initial) {
    KeyCheck check = search.Run(state);
    total.states += check.states;
    total.verdict = Combine(total.verdict, check.verdict);
    if (total.verdict == Verdict::kLinearizable) break;
  }
  return total;
}

std::vector<KeyOp> ShrinkFailure(const std::vector<KeyOp>& ops, size_t max_states, const KeyCheck* whole_check) {
  // No branch of the search got past the return at stuck_ns, and operations
  // invoked later never come before it in the list: the prefix of those
  // invoked by then fails the same way.
  const KeyCheck whole = whole_check != nullptr ? *whole_check : CheckKeyLinearizable(ops, max_states);
  if (!Fails(whole)) return ops;
  std::vector<KeyOp> failing;
  for (const KeyOp& op : ops)
    if (op.invoke_ns <= whole.stuck_ns) failing.push_back(op);
  if (!Fails(CheckKeyLinearizable(failing, max_states))) return ops;
  // Latest start whose window fails from any initial state. A window keeps
  // every earlier operation still pending at its start, so that it fails
  // only when no placement of those explains it either. The window from 0
  // fails from "absent" only, so the prefix itself is the fallback.
  const size_t earliest = failing.size() > kMaxWindowScan ? failing.size() - kMaxWindowScan : 1;
  for (size_t start = failing.size(); start-- > earliest;) {
    std::vector<KeyOp> window;
    for (size_t i = 0; i < start; ++i)
      if (failing[i].complete_ns > failing[start].invoke_ns) window.push_back(failing[i]);
    window.insert(window.end(), failing.begin() + static_cast<std::ptrdiff_t>(start), failing.end());
    if (Fails(CheckKeyFromAnyState(window, max_states))) return window;
  }
  return failing;
}

}  // namespace ts::chaos
