// Time as the pure cores see it: a count of milliseconds since an arbitrary
// epoch. The shells pass a steady clock reading (common/socket_support.h
// SteadyNow), the simulation passes its simulated clock; no core reads a clock.
#pragma once

#include <chrono>

namespace ts::cluster {

using Millis = std::chrono::milliseconds;
using TimePoint = Millis;

}  // namespace ts::cluster
