#include "clients/connection_watch.h"

#include <zmq.h>

#include "clients/client_keys.h"

namespace ts {

namespace {
// Settled at once: a key missing, unwanted or unknown is not mended by waiting.
bool IsKeyVerdict(ConnectionVerdict verdict) {
  return verdict == ConnectionVerdict::kNeedsKey || verdict == ConnectionVerdict::kOpenEndpoint ||
         verdict == ConnectionVerdict::kKeyRefused;
}
}  // namespace

SocketEvent SocketEventFromZmq(uint16_t zmq_event, uint32_t value) {
  if (zmq_event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
    return SocketEvent::kMechanismMismatch;
  }
  switch (zmq_event) {
    case ZMQ_EVENT_CONNECT_DELAYED: return SocketEvent::kConnectStarted;
    case ZMQ_EVENT_CONNECTED: return SocketEvent::kConnected;
    case ZMQ_EVENT_CLOSED: return SocketEvent::kClosed;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: return SocketEvent::kHandshakeSucceeded;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: return SocketEvent::kHandshakeDropped;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: return SocketEvent::kHandshakeFailed;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: return SocketEvent::kKeyRefused;
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
    case SocketEvent::kHandshakeDropped:
      Failed(client_has_key_ ? ConnectionVerdict::kNotZeroMq : ConnectionVerdict::kDroppedWithoutKey, now);
      break;
    case SocketEvent::kMechanismMismatch:
      Failed(client_has_key_ ? ConnectionVerdict::kOpenEndpoint : ConnectionVerdict::kNeedsKey, now);
      break;
    case SocketEvent::kKeyRefused:
      Failed(ConnectionVerdict::kKeyRefused, now);
      break;
    case SocketEvent::kDisconnected:
      // Dropped after TCP connected but before any handshake, with a key:
      // the broker could not read our HELLO (not its public key). A failure
      // already named (mismatch, refusal) says more, so it stays.
      if (client_has_key_ && tcp_connected_ && !peer_up_ &&
          (last_failure_ == ConnectionVerdict::kUndecided || last_failure_ == ConnectionVerdict::kServerKeyWrong)) {
        Failed(ConnectionVerdict::kServerKeyWrong, now);
      }
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
  if (IsKeyVerdict(last_failure_)) return last_failure_;
  return now - *first_failure_ >= verdict_after_ ? last_failure_ : ConnectionVerdict::kUndecided;
}

ConnectionVerdict ConnectionWatch::AtTimeout() const {
  if (peer_up_ || !first_failure_) return ConnectionVerdict::kUndecided;
  return last_failure_;
}

std::optional<ConnectionWatch::Clock::time_point> ConnectionWatch::NextCheck() const {
  if (peer_up_ || !first_failure_) return std::nullopt;
  if (IsKeyVerdict(last_failure_)) return *first_failure_;
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
    case ConnectionVerdict::kNeedsKey:
      return endpoint + " requires CURVE and this client has no key: give --key FILE or set " +
             std::string(kClientKeyEnv) +
             "=FILE, the cluster's client pair DIR/keys/clients/client (DIR: the cluster's directory, "
             "where ./run.sh up made the keys; ./run.sh cli passes it)";
    case ConnectionVerdict::kDroppedWithoutKey:
      return endpoint + " accepts connections but drops the ZeroMQ handshake (" + times +
             "): a CURVE broker does that when this client has no key: give --key FILE or set " +
             std::string(kClientKeyEnv) +
             "=FILE, the cluster's client pair DIR/keys/clients/client (DIR: the cluster's directory, "
             "where ./run.sh up made the keys; ./run.sh cli passes it); if it is no broker, is that the "
             "broker's client port?";
    case ConnectionVerdict::kOpenEndpoint:
      return endpoint + " is an open endpoint (plain text: --clients-open or --insecure) and this client "
             "presents a CURVE key: run it without --key, with " + std::string(kClientKeyEnv) + " unset";
    case ConnectionVerdict::kKeyRefused:
      return endpoint + " refused this client's key (its public key is not in the broker's allow-list): give "
             "--key FILE or " + std::string(kClientKeyEnv) +
             "=FILE with the cluster's client pair DIR/keys/clients/client, or copy this key's .pub file "
             "into DIR/keys/clients/ and send the broker SIGHUP";
    case ConnectionVerdict::kServerKeyWrong:
      return endpoint + " drops this client's CURVE handshake (" + times +
             "): the broker's public key given (--server-key, " + std::string(kServerKeyEnv) +
             ", or DIR/keys/brokers/broker-1.pub beside --key) is not this broker's";
    case ConnectionVerdict::kUndecided:
      break;
  }
  return "no verdict on " + endpoint;
}

}  // namespace ts
