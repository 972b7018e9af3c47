#include "tests/sim/sim_client.h"

#include <string_view>

#include "nodes/cluster/primary_replicator.h"

namespace ts::sim {
namespace {

constexpr uint64_t kKeysPerClient = 5;
// A waiting take or get waits this long: under the client's retry timeout
// (sim_world_internal.h kClientTimeoutMs), so most answer before a retry.
constexpr uint32_t kWaitMs = 300;
// Far above what a run produces (each open write at most doubles the
// possibilities until the next acknowledged write); reaching it is reported.
constexpr size_t kMaxPossibilities = 100'000;

using Keys = SimClient::Keys;

Pair MakePair(const std::string& key_text, const std::string& value_text) {
  return Pair{SplitTupleText(key_text), SplitTupleText(value_text)};
}

std::string Show(const std::vector<Pair>& pairs) {
  std::string text = "[";
  for (const Pair& pair : pairs) text += TupleText(pair.key) + "=" + TupleText(pair.value) + " ";
  return text + "]";
}

std::string Show(const std::vector<Rejection>& rejected) {
  std::string text = "[";
  for (const Rejection& r : rejected) {
    text += TupleText(r.pair.key) + ":" + std::string(RejectReasonName(r.reason)) + " ";
  }
  return text + "]";
}

bool IsWrite(const Request& request) { return IsWriteOp(request.op()); }

// The one correct reply to a request on `before`, and the state after it.
struct Outcome {
  std::vector<Pair> pairs;
  std::vector<Rejection> rejected;
  Keys after;
};

Outcome Simulate(const Request& request, const Keys& before) {
  Outcome outcome{{}, {}, before};
  Keys& keys = outcome.after;
  switch (request.op()) {
    case Op::kPut:
    case Op::kPost: {
      const bool must_exist = request.op() == Op::kPost;
      std::set<std::string> seen;
      for (const Pair& pair : request.pairs) {
        const std::string key = TupleText(pair.key);
        if (!seen.insert(key).second) {
          outcome.rejected.push_back(Rejection{pair, RejectReason::kRepeatedInRequest});
        } else if (keys.count(key) != (must_exist ? 1u : 0u)) {
          outcome.rejected.push_back(
              Rejection{pair, must_exist ? RejectReason::kKeyAbsent : RejectReason::kKeyPresent});
        } else {
          keys[key] = TupleText(pair.value);
        }
      }
      break;
    }
    case Op::kDelete: {
      const bool single = request.key_pattern.find('[') == std::string::npos;
      for (auto it = keys.begin(); it != keys.end();) {
        const std::string& key = it->first;
        // The pattern form is "c<i>,k[0-2]" over own keys (single-digit k) with values "v,...".
        const bool match = single ? key == request.key_pattern
                                  : key.back() >= '0' && key.back() <= '2' && it->second.rfind("v,", 0) == 0;
        if (match) {
          outcome.pairs.push_back(MakePair(key, it->second));
          it = keys.erase(it);
        } else {
          ++it;
        }
      }
      break;
    }
    case Op::kTake:  // the pattern is all own keys: the first in key order goes
      if (!keys.empty()) {
        outcome.pairs.push_back(MakePair(keys.begin()->first, keys.begin()->second));
        keys.erase(keys.begin());
      }
      break;
    case Op::kGet:
      for (const auto& [key, value] : keys) outcome.pairs.push_back(MakePair(key, value));
      break;
    case Op::kWatch:
    case Op::kOther:
      break;
  }
  return outcome;
}

std::string Show(const Keys& keys) {
  std::string text = "{";
  for (const auto& [key, value] : keys) text += key + "=" + value + " ";
  return text + "}";
}

}  // namespace

SimClient::SimClient(uint32_t index, uint64_t client_id) : index_(index), client_id_(client_id) {
  possible_.insert(Possibility{});
}

std::string SimClient::Key(uint64_t n) const { return KeyPrefix() + "k" + std::to_string(n); }

std::string SimClient::KeyPrefix() const { return "c" + std::to_string(index_) + ","; }

std::optional<Request> SimClient::NextRequest(SimRandom& random) {
  if (current_) return std::nullopt;
  Request request;
  const uint64_t dice = random.Below(100);
  const std::string own_keys = "c" + std::to_string(index_) + ",k\\d+";
  if (dice < 30) {
    std::vector<Pair> pairs;
    const uint64_t count = 1 + random.Below(2);
    for (uint64_t i = 0; i < count; ++i) {
      pairs.push_back(MakePair(Key(random.Below(kKeysPerClient)), "v," + std::to_string(random.Below(1000))));
    }
    request = MakePut(std::move(pairs));
  } else if (dice < 55) {
    request = MakePost({MakePair(Key(random.Below(kKeysPerClient)), "w," + std::to_string(random.Below(1000)))});
  } else if (dice < 70) {
    request = random.Below(2) == 0 ? MakeDelete(Key(random.Below(kKeysPerClient)), ".*")
                                   : MakeDelete("c" + std::to_string(index_) + ",k[0-2]", "v,.*");
  } else if (dice < 82) {
    // Only this client writes its keys, so a take or get that waits finds
    // nothing new: it waits out its time (across failovers, too) and answers.
    request = MakeTake(own_keys, ".*", random.Below(2) == 0 ? 0 : kWaitMs);
  } else {
    request = MakeGet(own_keys, ".*");
    if (random.Below(4) == 0) request.wait_ms = kWaitMs;
  }
  request.id = RequestId{client_id_, next_number_++};
  current_ = request;
  return request;
}

bool SimClient::OnReply(const Reply& reply) {
  if (!current_ || !(reply.id == current_->id)) return false;  // stale: a REQ client drops it
  if (reply.error) {
    switch (reply.error->kind) {
      case ErrorKind::kUnavailable:
      case ErrorKind::kServiceRefused:
        return false;  // not known to be applied: send the same request id again
      case ErrorKind::kNotEnoughReplicas:
        if (std::string_view(reply.error->message).rfind(cluster::kNothingChanged, 0) == 0) {
          return false;  // refused before it touched the space: send it again
        }
        if (IsWrite(*current_)) {
          open_.push_back(*current_);  // its fate is open (see the header)
          ++left_open_;
        }
        current_.reset();  // a read that could not be confirmed tells nothing
        return true;
      default:
        Fail("unexpected error " + std::string(ErrorKindName(reply.error->kind)) + ": " +
             reply.error->message);
        current_.reset();
        return true;
    }
  }
  if (IsWrite(*current_)) {
    Acknowledged(reply);
  } else {
    Read(reply);
  }
  current_.reset();
  ++acknowledged_;
  return true;
}

std::set<Keys> SimClient::Settlements(const Possibility& p) const {
  std::set<Keys> states{p.state};
  for (size_t i = p.open_from; i < open_.size(); ++i) {
    std::set<Keys> next = states;
    for (const Keys& state : states) next.insert(Simulate(open_[i], state).after);
    states = std::move(next);
  }
  return states;
}

// An acknowledged write commits after every open write: each has taken
// effect or never will. Its reply must be the correct one for some outcome.
void SimClient::Acknowledged(const Reply& reply) {
  const Request& request = *current_;
  std::set<Possibility> next;
  std::string expected;
  for (const Possibility& p : possible_) {
    for (const Keys& state : Settlements(p)) {
      Outcome outcome = Simulate(request, state);
      if (outcome.pairs == reply.pairs && outcome.rejected == reply.rejected) {
        next.insert(Possibility{std::move(outcome.after), 0});
      } else if (expected.size() < 400) {
        expected += " " + Show(outcome.pairs) + Show(outcome.rejected);
      }
    }
  }
  open_.clear();
  if (next.empty()) {
    return Fail(std::string(OpName(request.op())) + " #" + std::to_string(request.id.request_number) +
                " returned pairs " + Show(reply.pairs) + " rejected " + Show(reply.rejected) +
                "; expected one of:" + expected);
  }
  possible_ = std::move(next);
}

// A read shows a prefix of the history: any of the open writes before some
// point have taken effect or not; those after it stay open.
void SimClient::Read(const Reply& reply) {
  const Request& request = *current_;
  std::set<Possibility> next;
  for (const Possibility& p : possible_) {
    std::set<Keys> states{p.state};
    for (size_t i = p.open_from;; ++i) {
      for (const Keys& state : states) {
        if (Simulate(request, state).pairs == reply.pairs) next.insert(Possibility{state, i});
      }
      if (i == open_.size()) break;
      std::set<Keys> more = states;
      for (const Keys& state : states) more.insert(Simulate(open_[i], state).after);
      states = std::move(more);
    }
  }
  if (next.empty()) {
    return Fail(std::string(OpName(request.op())) + " #" + std::to_string(request.id.request_number) +
                " returned pairs " + Show(reply.pairs) + "; the client's writes allow " + DescribePossibilities());
  }
  if (next.size() > kMaxPossibilities) return Fail("more than " + std::to_string(kMaxPossibilities) + " possibilities");
  possible_ = std::move(next);
}

bool SimClient::CouldEndAs(const Keys& own) const {
  for (const Possibility& p : possible_) {
    if (Settlements(p).count(own) != 0) return true;
  }
  return false;
}

std::string SimClient::DescribePossibilities() const {
  std::string text;
  size_t shown = 0;
  for (const Possibility& p : possible_) {
    if (++shown > 4) return text + " ... (" + std::to_string(possible_.size()) + " in all)";
    text += (shown == 1 ? "" : " or ") + Show(p.state);
    if (p.open_from < open_.size()) text += " + up to " + std::to_string(open_.size() - p.open_from) + " open write(s)";
  }
  return text;
}

void SimClient::Fail(const std::string& why) {
  if (!failure_) failure_ = "client " + std::to_string(index_) + ": " + why;
}

}  // namespace ts::sim
