// What a client socket's monitor events say about reaching its peer, decided
// without sockets or clocks: the shell (client_transport.cpp) feeds in each
// libzmq monitor event and the time, and asks for a verdict.
//
// libzmq never fails a connect(); it retries every ZMQ_RECONNECT_IVL (100 ms)
// forever, so a client that only waits for replies learns that nobody is
// listening only after every attempt has timed out. The monitor shows it at
// once (measured on libzmq 4.3.4):
//   nobody listening:        CONNECT_DELAYED, CLOSED, CONNECT_RETRIED, again
//   listening, not ZeroMQ:   CONNECTED, HANDSHAKE_FAILED_*, DISCONNECTED, again
//   a ZeroMQ peer:           CONNECTED, HANDSHAKE_SUCCEEDED
// A connect that ends (CLOSED) without CONNECTED is refused (or the host is
// unreachable: libzmq does not say which errno it met).
// Keys (CURVE, issue 12): a plain client at a CURVE broker, or a CURVE client
// at an open one, fails the handshake with MECHANISM_MISMATCH; a key the
// broker's allow-list lacks gets HANDSHAKE_FAILED_AUTH; a wrong broker public
// key makes the broker drop the connection mid-handshake. tsbroker's CURVE
// endpoint drops a plain client's greeting (HANDSHAKE_FAILED_NO_DETAIL, seen
// on libzmq 4.3.4), which a listener that is no ZeroMQ peer may do too: that
// verdict names both. The broker (DISCONNECTED after
// CONNECTED, no handshake). The first two are settled at once (waiting cannot
// mend a missing key); the last waits the window like a refusal.
//
// Verdict: a run of failures with no handshake since it began is the answer
// once it is `verdict_after` old (a broker that is just starting gets that
// long to bind), or when the caller's last attempt has timed out. A peer that
// completed its handshake is never refused: a slow answer is a timeout, for
// the retry budget. One watch may see several sockets in turn (Lazy Pirate
// reopens its socket per attempt): the run of failures goes on across them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ts {

enum class SocketEvent {
  kConnectStarted,      // ZMQ_EVENT_CONNECT_DELAYED: a TCP connect is under way
  kConnected,           // ZMQ_EVENT_CONNECTED: TCP connected
  kClosed,              // ZMQ_EVENT_CLOSED: the connecting socket was closed
  kHandshakeSucceeded,  // ZMQ_EVENT_HANDSHAKE_SUCCEEDED: a ZeroMQ peer
  kHandshakeFailed,     // ZMQ_EVENT_HANDSHAKE_FAILED_*: not a (compatible) ZeroMQ peer
  kHandshakeDropped,    // HANDSHAKE_FAILED_NO_DETAIL: the peer closed during the greeting
  kMechanismMismatch,   // HANDSHAKE_FAILED_PROTOCOL, ZMTP_MECHANISM_MISMATCH: CURVE on one side only
  kKeyRefused,          // ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: the broker's ZAP refused our key
  kDisconnected,        // ZMQ_EVENT_DISCONNECTED
  kOther,               // anything else: ignored
};

// The monitor's 16-bit event number and its 32-bit value -> SocketEvent.
SocketEvent SocketEventFromZmq(uint16_t zmq_event, uint32_t value = 0);

enum class ConnectionVerdict {
  kUndecided,  // keep waiting for the reply
  kRefused,    // every connection attempt was refused
  kNotZeroMq,  // something accepts connections but fails the ZeroMQ handshake
  kNeedsKey,   // a CURVE broker, and this client has no key
  kDroppedWithoutKey,  // no key, and the peer drops the handshake (as tsbroker's CURVE endpoint does)
  kOpenEndpoint,  // this client has a key, and the endpoint is not CURVE
  kKeyRefused,    // the broker does not admit this client's key
  kServerKeyWrong,  // with a key: the broker drops every handshake (another broker public key)
};

class ConnectionWatch {
 public:
  using Clock = std::chrono::steady_clock;

  // `client_has_key`: this client presents a CURVE key (names the mismatch).
  explicit ConnectionWatch(std::chrono::milliseconds verdict_after, bool client_has_key = false)
      : verdict_after_(verdict_after), client_has_key_(client_has_key) {}

  void Observe(SocketEvent event, Clock::time_point now);

  // The verdict while still waiting for a reply.
  ConnectionVerdict Check(Clock::time_point now) const;
  // The verdict when the caller has stopped waiting (its last attempt timed
  // out): any failure not followed by a handshake decides it.
  ConnectionVerdict AtTimeout() const;
  // When Check may next change its answer with no new event; nullopt: only
  // an event can change it.
  std::optional<Clock::time_point> NextCheck() const;

  // "connection refused by tcp://127.0.0.1:1 (refused 8 times in 1000 ms):
  // nothing is listening there; is the broker running, on that port?"
  std::string Describe(ConnectionVerdict verdict, const std::string& endpoint, Clock::time_point now) const;

  int failed_attempts() const { return failures_; }
  // When the current peer completed its handshake; nullopt while none is up.
  std::optional<Clock::time_point> peer_up_since() const { return peer_up_since_; }

 private:
  void Failed(ConnectionVerdict kind, Clock::time_point now);

  std::chrono::milliseconds verdict_after_;
  bool client_has_key_;
  bool tcp_connected_ = false;  // the current attempt got a TCP connection
  bool peer_up_ = false;        // a handshake succeeded and no disconnect since
  std::optional<Clock::time_point> peer_up_since_;
  std::optional<Clock::time_point> first_failure_;  // of the current run of failures
  ConnectionVerdict last_failure_ = ConnectionVerdict::kUndecided;
  int failures_ = 0;  // in the current run
};

}  // namespace ts
