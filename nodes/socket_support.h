// Small socket helpers tsnode and tsbroker share: non-blocking multi-part
// sends that say why they failed, the steady clock as the cores' Millis, and
// log throttling for junk a peer may send over and over.
#pragma once

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <zmq.hpp>

#include "nodes/cluster_messages.h"

namespace ts::cluster {

// The cores' time: milliseconds of the steady clock (never jumps).
inline TimePoint SteadyNow() {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch());
}

inline std::string_view View(const zmq::message_t& part) {
  return std::string_view(part.data<char>(), part.size());
}

// Repeated warnings are logged the first few times, then once per thousand,
// so that a peer sending junk cannot flood the log.
inline bool WorthLogging(uint64_t count) { return count <= 10 || count % 1000 == 0; }

enum class SendOutcome {
  kSent,
  kNoRoute,    // ROUTER_MANDATORY: no connection with that routing id
  kQueueFull,  // the queue limit is reached, or (ZMQ_IMMEDIATE) no connection yet
};

// Sends one multi-part message without blocking. Other socket errors throw
// zmq::error_t, which the loops treat as fatal (after EINTR).
inline SendOutcome SendParts(zmq::socket_t& socket, std::initializer_list<std::string_view> parts) {
  try {
    size_t left = parts.size();
    for (std::string_view part : parts) {
      const auto flags = zmq::send_flags::dontwait | (--left > 0 ? zmq::send_flags::sndmore : zmq::send_flags::none);
      if (!socket.send(zmq::buffer(part.data(), part.size()), flags)) return SendOutcome::kQueueFull;
    }
    return SendOutcome::kSent;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return SendOutcome::kNoRoute;
    throw;
  }
}

}  // namespace ts::cluster
