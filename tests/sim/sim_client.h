// A simulated client: one request at a time (like a REQ socket), retrying the
// same RequestId until it gets a definitive reply, and checking every reply
// against what its own writes allow.
//
// Each client writes only its own keys (c<id>,k<n>), so it can tell exactly
// what the space may hold of them (TAKE, a write, removes the first of them
// in key order; some takes and gets wait, and time out, across failovers):
//  - an acknowledged write is in the space, at its place in the client's order;
//  - a write refused with "not enough replicas: nothing was changed" is sent
//    again (same RequestId) until a definitive answer;
//  - any other "not enough replicas" answer to a write leaves it *open*: a
//    primary applied it and then undid it (or could not confirm it), and a
//    backup holding it may still bring it back after a failover. It may take
//    effect (once, in the client's order) at any time until the client's next
//    acknowledged write, which commits after it and so settles it either way.
// A read shows a committed prefix of the final history: every write
// acknowledged before it and, of the open ones, those that took effect by
// then; what a read has shown never goes away.
//
// The client keeps every possibility: a state of its keys, and from which of
// the open writes on (a suffix of open_) writes may still take effect. A
// reply that no possibility explains (a lost or changed acknowledged write, a
// write applied twice, a read showing what later vanished) is a failure, with
// the reason in `failure`; so is a final space that no possibility allows.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "schema/messages.h"
#include "tests/sim/sim_random.h"

namespace ts::sim {

class SimClient {
 public:
  using Keys = std::map<std::string, std::string>;  // key text -> value text, own keys only

  SimClient(uint32_t index, uint64_t client_id);

  // A new request (numbered next), chosen at random; nullopt when one is still out.
  std::optional<Request> NextRequest(SimRandom& random);
  // The request currently out (for a retry).
  const std::optional<Request>& current() const { return current_; }
  // Handles a reply; returns true when it answered the current request for good
  // (false: stale, or an answer that calls for sending it again).
  bool OnReply(const Reply& reply);

  // Whether the cluster may end holding exactly `own` of this client's keys.
  bool CouldEndAs(const Keys& own) const;
  std::string DescribePossibilities() const;
  std::string KeyPrefix() const;  // "c<index>,"

  bool idle() const { return !current_.has_value(); }
  const std::optional<std::string>& failure() const { return failure_; }
  uint64_t client_id() const { return client_id_; }
  uint64_t acknowledged() const { return acknowledged_; }
  uint64_t left_open() const { return left_open_; }
  uint64_t last_number() const { return next_number_ - 1; }

 private:
  struct Possibility {
    Keys state;
    size_t open_from = 0;  // open_[open_from..] may still take effect
    bool operator<(const Possibility& other) const {
      return std::tie(state, open_from) < std::tie(other.state, other.open_from);
    }
  };

  std::string Key(uint64_t n) const;
  void Acknowledged(const Reply& reply);
  void Read(const Reply& reply);
  // Every state p can reach by the open writes from p.open_from on taking effect or not.
  std::set<Keys> Settlements(const Possibility& p) const;
  void Fail(const std::string& why);

  uint32_t index_;
  uint64_t client_id_;
  uint64_t next_number_ = 1;
  std::optional<Request> current_;
  std::vector<Request> open_;  // open writes since the last acknowledged write, in order
  std::set<Possibility> possible_;
  std::optional<std::string> failure_;
  uint64_t acknowledged_ = 0;
  uint64_t left_open_ = 0;
};

}  // namespace ts::sim
