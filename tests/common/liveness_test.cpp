#include <catch2/catch.hpp>

#include "common/liveness.h"

using namespace ts::cluster;
using namespace std::chrono_literals;

TEST_CASE("liveness: a party is live within the window and reported dead once", "[liveness]") {
  Liveness party;
  CHECK_FALSE(party.Live(Millis(0), 300ms));
  CHECK_FALSE(party.TakeFailure(Millis(1000), 300ms));  // never heard: nothing to report
  CHECK(party.Heard(Millis(100)) == LivenessChange::kSeen);
  CHECK(party.Live(Millis(400), 300ms));
  CHECK_FALSE(party.Live(Millis(401), 300ms));
  CHECK(party.Silence(Millis(401)) == 301ms);
  CHECK(party.TakeFailure(Millis(401), 300ms));
  CHECK_FALSE(party.TakeFailure(Millis(900), 300ms));
  CHECK(party.Heard(Millis(1000)) == LivenessChange::kRejoined);
  CHECK(party.Heard(Millis(1100)) == LivenessChange::kNone);
}

TEST_CASE("liveness: marking dead takes effect at once and lasts until heard again", "[liveness]") {
  Liveness party(Millis(0));
  CHECK(party.Live(Millis(10), 300ms));
  party.MarkDead();
  CHECK_FALSE(party.Live(Millis(10), 300ms));
  CHECK(party.TakeFailure(Millis(10), 300ms));
  CHECK(party.Heard(Millis(20)) == LivenessChange::kRejoined);
  CHECK(party.Live(Millis(20), 300ms));
}

TEST_CASE("liveness tracker: live set, failures once each, in id order", "[liveness]") {
  LivenessTracker<uint32_t> peers(300ms);
  CHECK(peers.Heard(3, Millis(0)) == LivenessChange::kSeen);
  CHECK(peers.Heard(1, Millis(200)) == LivenessChange::kSeen);
  CHECK(peers.LivePeers(Millis(250)) == std::vector<uint32_t>{1, 3});
  CHECK(peers.LivePeers(Millis(301)) == std::vector<uint32_t>{1});
  CHECK(peers.TakeFailures(Millis(301)) == std::vector<uint32_t>{3});
  CHECK(peers.TakeFailures(Millis(302)).empty());
  peers.MarkDead(1);
  CHECK_FALSE(peers.Live(1, Millis(302)));
  CHECK(peers.TakeFailures(Millis(302)) == std::vector<uint32_t>{1});
  CHECK(peers.Heard(3, Millis(400)) == LivenessChange::kRejoined);
  CHECK(peers.LastHeard(3) == Millis(400));
  CHECK_FALSE(peers.LastHeard(7).has_value());
  peers.Forget(3);
  CHECK_FALSE(peers.Known(3));
  CHECK(peers.KnownPeers() == std::vector<uint32_t>{1});
}
