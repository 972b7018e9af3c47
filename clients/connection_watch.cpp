#include "clients/connection_watch.h"

#include <zmq.h>

namespace ts {

SocketEvent SocketEventFromZmq(uint16_t zmq_event) {
  switch (zmq_event) {
    case ZMQ_EVENT_CONNECT_DELAYED: return SocketEvent::kConnectStarted;
    case ZMQ_EVENT_CONNECTED: return SocketEvent::kConnected;
    case ZMQ_EVENT_CLOSED: return SocketEvent::kClosed;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return SocketEvent::kHandshakeSucceeded;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return SocketEvent::kHandshakeFailed;
    case ZMQ_EVENT_DISCONNECTED: return SocketEvent::kDisconnected;
    default: return SocketEvent::kOther;
  }
}

void ConnectionWatch::Failed(ConnectionVerdict kind, Clock::time_point now) {
  if (!first_failure_) first_failure_ = now;
  last_failure_ = kind;
  ++failures_;
}

void ConnectionWatch::Observe(SocketEvent event, Clock::time_point now) {
  switch (event) {
    case SocketEvent::kConnectStarted:
      tcp_connected_ = false;
      break;
    case SocketEvent::kConnected:
      tcp_connected_ = true;
      break;
    case SocketEvent::kClosed:
      // A connect that never got through; a connected socket ends with
      // DISCONNECTED instead.
      if (!tcp_connected_) Failed(ConnectionVerdict::kRefused, now);
      tcp_connected_ = false;
      break;
    case SocketEvent::kHandshakeSucceeded:
      peer_up_ = true;
      peer_up_since_ = now;
      first_failure_.reset();
      failures_ = 0;
      last_failure_ = ConnectionVerdict::kUndecided;
      break;
    case SocketEvent::kHandshakeFailed:
      Failed(ConnectionVerdict::kNotZeroMq, now);
      break;
    case SocketEvent::kDisconnected:
      peer_up_ = false;
      peer_up_since_.reset();
      tcp_connected_ = false;
      break;
    case SocketEvent::kOther:
      break;
  }
}

ConnectionVerdict ConnectionWatch::Check(Clock::time_point now) const {
  if (peer_up_ || !first_failure_) return ConnectionVerdict::kUndecided;
  return now - *first_failure_ >= verdict_after_ ? last_failure_ : ConnectionVerdict::kUndecided;
}

ConnectionVerdict ConnectionWatch::AtTimeout() const {
  if (peer_up_ || !first_failure_) return ConnectionVerdict::kUndecided;
  return last_failure_;
}

std::optional<ConnectionWatch::Clock::time_point> ConnectionWatch::NextCheck() const {
  if (peer_up_ || !first_failure_) return std::nullopt;
  return *first_failure_ + verdict_after_;
}

std::string ConnectionWatch::Describe(ConnectionVerdict verdict, const std::string& endpoint,
                                      Clock::time_point now) const {
  const auto elapsed = first_failure_ ? std::chrono::duration_cast<std::chrono::milliseconds>(now - *first_failure_)
                                      : std::chrono::milliseconds(0);
  const std::string times = std::to_string(failures_) + (failures_ == 1 ? " time" : " times") + " in " +
                            std::to_string(elapsed.count()) + " ms";
  switch (verdict) {
    case ConnectionVerdict::kRefused:
      return "connection refused by " + endpoint + " (refused " + times +
             "): nothing is listening there; is the broker running, on that port?";
    case ConnectionVerdict::kNotZeroMq:
      return endpoint + " accepts connections but is not a ZeroMQ peer (the handshake failed " + times +
             "); is that the broker's client port?";
    case ConnectionVerdict::kUndecided:
      break;
  }
  return "no verdict on " + endpoint;
}

}  // namespace ts
