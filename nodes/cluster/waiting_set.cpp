#include "nodes/cluster/waiting_set.h"

#include <algorithm>
#include <string>
#include <utility>

namespace ts::cluster {

bool WaitingSet::Holds(const RequestId& id) const {
  if (id.client_id == 0) return false;  // anonymous requests are never the same request
  return std::any_of(waiting_.begin(), waiting_.end(),
                     [&](const WaitingRequest& w) { return w.request.id == id; });
}

std::optional<Error> WaitingSet::WhyNot(const Request& request) const {
  if (Millis(request.wait_ms) > max_wait_) {
    return Error{ErrorKind::kMalformedRequest,
                 "a wait of " + std::to_string(request.wait_ms) + " ms is longer than the longest a request may wait, " +
                     std::to_string(max_wait_.count()) + " ms"};
  }
  if (waiting_.size() >= max_waiting_ && !Holds(request.id)) {
    return Error{ErrorKind::kServiceRefused,
                 std::to_string(waiting_.size()) + " requests are waiting on this node already, the most it holds (" +
                     std::to_string(max_waiting_) + "); send it again later, or without a wait"};
  }
  return std::nullopt;
}

void WaitingSet::Add(WaitingRequest waiting) {
  if (waiting.request.id.client_id != 0) {
    auto same = std::find_if(waiting_.begin(), waiting_.end(),
                             [&](const WaitingRequest& w) { return w.request.id == waiting.request.id; });
    if (same != waiting_.end()) {
      same->client = std::move(waiting.client);  // the newest address; the first deadline stands
      return;
    }
  }
  waiting_.push_back(std::move(waiting));
}

}  // namespace ts::cluster
