#include "tests/sim/sim_client.h"

#include <set>

namespace ts::sim {
namespace {

constexpr uint64_t kKeysPerClient = 5;

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

}  // namespace

std::string SimClient::Key(uint64_t n) const {
  return "c" + std::to_string(index_) + ",k" + std::to_string(n);
}

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
  } else if (dice < 75) {
    request = random.Below(2) == 0 ? MakeDelete(Key(random.Below(kKeysPerClient)), ".*")
                                   : MakeDelete("c" + std::to_string(index_) + ",k[0-2]", "v,.*");
  } else {
    request = MakeGet(own_keys, ".*");
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
      case ErrorKind::kNotEnoughReplicas:
      case ErrorKind::kServiceRefused:
        return false;  // not known to be applied: retry the same request id
      default:
        Fail("unexpected error " + std::string(ErrorKindName(reply.error->kind)) + ": " +
             reply.error->message);
        current_.reset();
        return true;
    }
  }
  Check(reply);
  current_.reset();
  ++acknowledged_;
  return true;
}

// The one correct reply, computed from the model; then the model moves on.
void SimClient::Check(const Reply& reply) {
  const Request& request = *current_;
  std::vector<Pair> expected_pairs;
  std::vector<Rejection> expected_rejected;
  switch (request.op()) {
    case Op::kPut:
    case Op::kPost: {
      const bool must_exist = request.op() == Op::kPost;
      std::set<std::string> seen;
      for (const Pair& pair : request.pairs) {
        const std::string key = TupleText(pair.key);
        if (!seen.insert(key).second) {
          expected_rejected.push_back(Rejection{pair, RejectReason::kRepeatedInRequest});
        } else if (model_.count(key) != (must_exist ? 1u : 0u)) {
          expected_rejected.push_back(
              Rejection{pair, must_exist ? RejectReason::kKeyAbsent : RejectReason::kKeyPresent});
        } else {
          model_[key] = TupleText(pair.value);
        }
      }
      break;
    }
    case Op::kDelete: {
      const bool single = request.key_pattern.find('[') == std::string::npos;
      for (auto it = model_.begin(); it != model_.end();) {
        const std::string& key = it->first;
        // The pattern form is "c<i>,k[0-2]" over own keys (single-digit k) with values "v,...".
        const bool match = single ? key == request.key_pattern
                                  : key.back() >= '0' && key.back() <= '2' && it->second.rfind("v,", 0) == 0;
        if (match) {
          expected_pairs.push_back(MakePair(key, it->second));
          it = model_.erase(it);
        } else {
          ++it;
        }
      }
      break;
    }
    case Op::kGet:
      for (const auto& [key, value] : model_) expected_pairs.push_back(MakePair(key, value));
      break;
    case Op::kOther:
      break;
  }
  if (!(reply.pairs == expected_pairs)) {
    Fail(std::string(OpName(request.op())) + " #" + std::to_string(request.id.request_number) +
         " returned pairs " + Show(reply.pairs) + ", expected " + Show(expected_pairs));
  } else if (!(reply.rejected == expected_rejected)) {
    Fail(std::string(OpName(request.op())) + " #" + std::to_string(request.id.request_number) +
         " rejected " + Show(reply.rejected) + ", expected " + Show(expected_rejected));
  }
}

void SimClient::Fail(const std::string& why) {
  if (!failure_) failure_ = "client " + std::to_string(index_) + ": " + why;
}

}  // namespace ts::sim
