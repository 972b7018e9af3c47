// The client side's only place that creates ZeroMQ sockets (DESIGN decision
// 12: when CURVE arrives it is one change here), plus the two waits every
// client needs. Nothing here throws: ZeroMQ's exceptions become ts::Error of
// kind kUnavailable whose message names the endpoint and what failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "common/status.h"

namespace ts {

// A socket of `type` (REQ or DEALER) connected to `endpoint`, with linger 0
// and a bounded send timeout. Fails when ZeroMQ rejects the endpoint.
Result<zmq::socket_t> ConnectClientSocket(zmq::context_t& context, zmq::socket_type type,
                                          const std::string& endpoint);

// Ok when ZeroMQ accepts `endpoint` for connecting ("tcp://host:port",
// "ipc://path", "inproc://name"); otherwise an error saying why. Checks syntax
// only: a well-formed endpoint with nobody listening is fine here.
Status CheckEndpoint(const std::string& endpoint);

// Waits at most `timeout` for `socket` to have a message to read.
// true: readable; false: the time ran out. Error: the wait itself failed.
Result<bool> WaitReadable(zmq::socket_t& socket, std::chrono::milliseconds timeout);

// A random non-zero 64-bit id, drawn once per client object.
uint64_t RandomClientId();

// "2500 ms", for messages.
std::string DescribeMs(std::chrono::milliseconds duration);

}  // namespace ts
