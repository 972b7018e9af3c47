// Liveness: "is this peer still alive?", the one rule every part uses.
//
// A peer is live while it was heard within the liveness window, and not
// marked dead since it was last heard. Marking dead is explicit (a party that
// announced its exit, a primary that stepped down, a fenced node): nobody
// back-dates a clock to say it. Each transition is reported once: Heard says
// whether the peer is new (kSeen) or back after it failed (kRejoined), and
// TakeFailures returns each peer that fell silent or was marked dead since
// the previous call. No clock of its own: every call is given `now`.
//
// Liveness tracks one party (the broker as a node sees it, the followed
// primary); LivenessTracker<Id> tracks a set of them (a node's peers, the
// broker's nodes, a primary's backups).
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "common/clock.h"

namespace ts::cluster {

enum class LivenessChange { kNone, kSeen, kRejoined };

class Liveness {
 public:
  // Never heard: not live until the first Heard.
  Liveness() = default;
  // Counts as heard at `start` (e.g. a node gives the broker one window from
  // its own start before it calls it lost).
  explicit Liveness(TimePoint start) : last_heard_(start) {}

  LivenessChange Heard(TimePoint now) {
    const LivenessChange change = !last_heard_ ? LivenessChange::kSeen
                                  : reported_dead_ ? LivenessChange::kRejoined
                                                   : LivenessChange::kNone;
    last_heard_ = now;
    marked_dead_ = false;
    reported_dead_ = false;
    return change;
  }
  // Dead from now until heard again (no waiting out the window).
  void MarkDead() { marked_dead_ = true; }

  bool Live(TimePoint now, Millis window) const {
    return last_heard_ && !marked_dead_ && now - *last_heard_ <= window;
  }
  bool EverHeard() const { return last_heard_.has_value(); }
  std::optional<TimePoint> LastHeard() const { return last_heard_; }
  // How long since it was last heard (0 when never heard).
  Millis Silence(TimePoint now) const { return last_heard_ ? now - *last_heard_ : Millis(0); }

  // True once per death: the first call after the party stopped being live.
  bool TakeFailure(TimePoint now, Millis window) {
    if (reported_dead_ || !last_heard_ || Live(now, window)) return false;
    reported_dead_ = true;
    return true;
  }

 private:
  std::optional<TimePoint> last_heard_;
  bool marked_dead_ = false;
  bool reported_dead_ = false;
};

template <typename PeerId>
class LivenessTracker {
 public:
  explicit LivenessTracker(Millis liveness_window) : window_(liveness_window) {}

  LivenessChange Heard(PeerId peer, TimePoint now) { return peers_[peer].Heard(now); }
  void MarkDead(PeerId peer) {
    if (auto it = peers_.find(peer); it != peers_.end()) it->second.MarkDead();
  }
  void Forget(PeerId peer) { peers_.erase(peer); }

  bool Live(PeerId peer, TimePoint now) const {
    auto it = peers_.find(peer);
    return it != peers_.end() && it->second.Live(now, window_);
  }
  bool Known(PeerId peer) const { return peers_.contains(peer); }
  std::optional<TimePoint> LastHeard(PeerId peer) const {
    auto it = peers_.find(peer);
    return it == peers_.end() ? std::nullopt : it->second.LastHeard();
  }
  std::vector<PeerId> LivePeers(TimePoint now) const {
    std::vector<PeerId> live;
    for (const auto& [id, peer] : peers_) {
      if (peer.Live(now, window_)) live.push_back(id);
    }
    return live;
  }
  std::vector<PeerId> KnownPeers() const {
    std::vector<PeerId> known;
    for (const auto& [id, peer] : peers_) known.push_back(id);
    return known;
  }
  // Each peer that stopped being live since the previous call, once, in id order.
  std::vector<PeerId> TakeFailures(TimePoint now) {
    std::vector<PeerId> failed;
    for (auto& [id, peer] : peers_) {
      if (peer.TakeFailure(now, window_)) failed.push_back(id);
    }
    return failed;
  }
  Millis window() const { return window_; }

 private:
  Millis window_;
  std::map<PeerId, Liveness> peers_;
};

}  // namespace ts::cluster
