// Catch2 shorthands for the Cluster fixture: each REQUIREs its step and, when
// it fails, reports why (the fixture's last_error) next to the assertion.
#pragma once

#include <catch2/catch.hpp>

#include "tests/integration/cluster_fixture.h"

namespace ts::itest {

inline void RequireStarted(Cluster& cluster) {
  const bool started = cluster.Start();
  INFO("cluster start: " << cluster.last_error());
  REQUIRE(started);
}

// The primary serving GETs, other than `not_this` (0: any), within `timeout`.
inline PrimaryView RequirePrimary(const Cluster& cluster, Millis timeout, uint32_t not_this = 0) {
  std::optional<PrimaryView> primary = cluster.WaitForPrimary(timeout, not_this);
  INFO("waiting " << timeout.count() << " ms for a primary other than node " << not_this << ": "
                  << cluster.last_error());
  REQUIRE(primary.has_value());
  return *primary;
}

inline void RequireCaughtUp(const Cluster& cluster, uint32_t id, Millis timeout) {
  const bool caught_up = cluster.WaitCaughtUp(id, timeout);
  std::optional<ClusterView> view = cluster.Status();
  INFO("waiting " << timeout.count() << " ms for node " << id << " to catch up; status now:\n"
                  << (view ? view->text : std::string("(no STATUS answer)")));
  REQUIRE(caught_up);
}

}  // namespace ts::itest
