// A simulated client: one request at a time (like a REQ socket), retrying the
// same RequestId until it gets a definitive reply, and checking every reply
// against its own model of the space.
//
// Each client writes only its own keys (c<id>k<n>), so its model is exact:
// after each acknowledged write it knows every value of its keys, and it can
// compute the one correct reply for its next request. A reply that differs
// (a lost write, a write applied twice, a read that misses an acked write) is
// a failure with the reason in `failure`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schema/messages.h"
#include "tests/sim/sim_random.h"

namespace ts::sim {

class SimClient {
 public:
  SimClient(uint32_t index, uint64_t client_id) : index_(index), client_id_(client_id) {}

  // A new request (numbered next), chosen at random; nullopt when one is still out.
  std::optional<Request> NextRequest(SimRandom& random);
  // The request currently out (for a retry).
  const std::optional<Request>& current() const { return current_; }
  // Handles a reply; returns true when it answered the current request for good
  // (false: stale, or an error that calls for a retry).
  bool OnReply(const Reply& reply);

  bool idle() const { return !current_.has_value(); }
  const std::map<std::string, std::string>& model() const { return model_; }
  const std::optional<std::string>& failure() const { return failure_; }
  uint64_t client_id() const { return client_id_; }
  uint64_t acknowledged() const { return acknowledged_; }
  uint64_t retries_answered_from_table() const { return 0; }
  uint64_t last_number() const { return next_number_ - 1; }

 private:
  std::string Key(uint64_t n) const;
  void Check(const Reply& reply);
  void Fail(const std::string& why);

  uint32_t index_;
  uint64_t client_id_;
  uint64_t next_number_ = 1;
  std::optional<Request> current_;
  std::map<std::string, std::string> model_;  // key text -> value text, own keys only
  std::optional<std::string> failure_;
  uint64_t acknowledged_ = 0;
};

}  // namespace ts::sim
