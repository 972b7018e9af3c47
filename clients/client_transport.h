// The client side's only place that creates ZeroMQ sockets (DESIGN decision
// 12: when CURVE arrives it is one change here), plus the waits every client
// needs. Nothing here throws: ZeroMQ's exceptions become ts::Error of kind
// kUnavailable whose message names the endpoint and what failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "clients/connection_watch.h"
#include "common/security/curve_key.h"
#include "common/status.h"

namespace ts {

// CURVE for a client socket: the client's own pair and the broker's public
// key. Absent: plain text (a --clients-open or --insecure broker).
struct ClientCurve {
  security::CurveKeyPair own;
  security::CurveKey server_public{};
};

// "EP1,EP2" -> {"EP1", "EP2"}: the brokers of one cluster (one: {"EP1"}).
std::vector<std::string> SplitEndpoints(const std::string& list);

// A socket of `type` (REQ or DEALER) connected to `endpoint`, with linger 0
// and a bounded send timeout. Fails when ZeroMQ rejects the endpoint. A comma
// list connects to each (ZMQ_IMMEDIATE: a frame goes only to a connection that
// is up, round robin); the clients do not use that for requests (the primary
// needs a client's requests in order): they talk to one broker at a time.
Result<zmq::socket_t> ConnectClientSocket(zmq::context_t& context, zmq::socket_type type,
                                          const std::string& endpoint, const std::optional<ClientCurve>& curve = {});

// A socket of `type` connected to `endpoint` with a monitor on its
// connection attempts, whose events go to the ConnectionWatch the caller
// passes in (clients/connection_watch.h): a caller that reopens sockets
// (Lazy Pirate) keeps one watch across them, so a wait for a reply ends
// early, with an error saying so, when nobody is listening there.
class WatchedSocket {
 public:
  static Result<WatchedSocket> Connect(zmq::context_t& context, zmq::socket_type type,
                                       const std::string& endpoint, const std::optional<ClientCurve>& curve = {});
  WatchedSocket(WatchedSocket&&) noexcept = default;
  WatchedSocket& operator=(WatchedSocket&&) noexcept = default;
  ~WatchedSocket();

  zmq::socket_t& socket() { return socket_; }

  // Waits at most `timeout` for a message to read, feeding `watch` the
  // monitor's events. true: readable; false: the time ran out. Error
  // (kUnavailable): the watch's verdict (refused, not ZeroMQ), or the wait
  // itself failed (interrupted by a signal, say).
  Result<bool> WaitReadable(std::chrono::milliseconds timeout, ConnectionWatch& watch);

  // Waits at most `timeout` for the connection's handshake, feeding `watch`.
  // true: the peer is up (now, or since an earlier wait saw it come up);
  // false: the time ran out. Error: the watch's verdict.
  Result<bool> WaitPeerUp(std::chrono::milliseconds timeout, ConnectionWatch& watch);

 private:
  WatchedSocket(zmq::socket_t monitor, zmq::socket_t socket, std::string endpoint);
  enum class Wanted { kReply, kPeerUp };
  Result<bool> WaitFor(Wanted wanted, std::chrono::milliseconds timeout, ConnectionWatch& watch);
  void DrainEvents(ConnectionWatch& watch);

  // Declared first so it is closed last: the monitored socket goes first.
  zmq::socket_t monitor_;
  zmq::socket_t socket_;
  std::string endpoint_;
  bool peer_up_ = false;  // a handshake succeeded, no disconnect since
};

// Ok when `endpoint` can be connected to: ZeroMQ accepts it ("tcp://host:port",
// "ipc://path", "inproc://name") and a tcp port is a number in 1..65535.
// Otherwise an error saying what is wrong, without repeating the endpoint
// ("port 99999 is out of range 1..65535"), for the caller to name the flag and
// the value. Checks syntax only: nobody listening there is fine here. A
// comma list (several brokers) is checked endpoint by endpoint.
Status CheckEndpoint(const std::string& endpoint);

// Waits at most `timeout` for `socket` to have a message to read.
// true: readable; false: the time ran out. Error: the wait itself failed.
Result<bool> WaitReadable(zmq::socket_t& socket, std::chrono::milliseconds timeout);

// A random non-zero 64-bit id, drawn once per client object.
uint64_t RandomClientId();

// "2500 ms", for messages.
std::string DescribeMs(std::chrono::milliseconds duration);

}  // namespace ts
