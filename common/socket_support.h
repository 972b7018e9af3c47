// Small socket helpers tsnode and tsbroker share: non-blocking multi-part
// sends that say why they failed, the steady clock as the cores' Millis, and
// log throttling for junk a peer may send over and over.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "common/clock.h"

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

// A message between the broker and a node carries one frame per part, at most
// this many: what a loop turn produced for one peer travels as one message,
// so a busy link costs one wake-up per turn instead of one per request.
inline constexpr size_t kMaxFramesPerMessage = 256;

// Sends `frames` as messages of at most kMaxFramesPerMessage parts each,
// every one led by `routing_id` when it is not empty (a ROUTER's send).
// ZeroMQ takes a multi-part message whole or not at all, so a frame is never
// half sent; on the first refusal the rest are not tried.
inline SendOutcome SendFrames(zmq::socket_t& socket, std::string_view routing_id,
                              std::span<const std::string> frames) {
  try {
    for (size_t first = 0; first < frames.size(); first += kMaxFramesPerMessage) {
      const size_t end = std::min(frames.size(), first + kMaxFramesPerMessage);
      if (!routing_id.empty() &&
          !socket.send(zmq::buffer(routing_id.data(), routing_id.size()), zmq::send_flags::dontwait | zmq::send_flags::sndmore)) {
        return SendOutcome::kQueueFull;
      }
      for (size_t i = first; i < end; ++i) {
        const auto flags = zmq::send_flags::dontwait | (i + 1 < end ? zmq::send_flags::sndmore : zmq::send_flags::none);
        if (!socket.send(zmq::buffer(frames[i].data(), frames[i].size()), flags)) return SendOutcome::kQueueFull;
      }
    }
    return SendOutcome::kSent;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return SendOutcome::kNoRoute;
    throw;
  }
}

}  // namespace ts::cluster
