// The connection watch's verdicts, fed the event sequences libzmq 4.3.4 was
// seen to emit (clients/connection_watch.h), with the time passed in.
#include <catch2/catch.hpp>

#include <zmq.h>

#include "clients/connection_watch.h"

using namespace std::chrono_literals;
using ts::ConnectionVerdict;
using ts::ConnectionWatch;
using ts::SocketEvent;

namespace {

const ConnectionWatch::Clock::time_point kStart{};

// One refused connect, as libzmq reports it: a connect under way, then closed.
void Refused(ConnectionWatch& watch, ConnectionWatch::Clock::time_point at) {
  watch.Observe(SocketEvent::kConnectStarted, at);
  watch.Observe(SocketEvent::kClosed, at);
}

}  // namespace

TEST_CASE("connection watch: monitor event numbers map to events", "[client][connection_watch]") {
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_CONNECT_DELAYED) == SocketEvent::kConnectStarted);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_CONNECTED) == SocketEvent::kConnected);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_CLOSED) == SocketEvent::kClosed);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == SocketEvent::kHandshakeSucceeded);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == SocketEvent::kHandshakeFailed);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) == SocketEvent::kHandshakeDropped);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_DISCONNECTED) == SocketEvent::kDisconnected);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_CONNECT_RETRIED) == SocketEvent::kOther);
}

TEST_CASE("connection watch: refusals for the whole window are 'connection refused'", "[client][connection_watch]") {
  ConnectionWatch watch(1000ms);
  CHECK(watch.Check(kStart) == ConnectionVerdict::kUndecided);
  CHECK_FALSE(watch.NextCheck().has_value());
  CHECK(watch.AtTimeout() == ConnectionVerdict::kUndecided);  // nothing seen: a plain timeout

  Refused(watch, kStart + 10ms);
  CHECK(watch.NextCheck() == kStart + 1010ms);
  Refused(watch, kStart + 120ms);
  CHECK(watch.Check(kStart + 1009ms) == ConnectionVerdict::kUndecided);
  CHECK(watch.Check(kStart + 1010ms) == ConnectionVerdict::kRefused);
  CHECK(watch.failed_attempts() == 2);
  CHECK(watch.Describe(ConnectionVerdict::kRefused, "tcp://127.0.0.1:1", kStart + 1010ms) ==
        "connection refused by tcp://127.0.0.1:1 (refused 2 times in 1000 ms): nothing is listening there; "
        "is the broker running, on that port?");
}

TEST_CASE("connection watch: attempts that run out before the window still say refused",
          "[client][connection_watch]") {
  ConnectionWatch watch(1000ms);
  Refused(watch, kStart);
  CHECK(watch.Check(kStart + 200ms) == ConnectionVerdict::kUndecided);
  CHECK(watch.AtTimeout() == ConnectionVerdict::kRefused);
}

TEST_CASE("connection watch: a peer that completed its handshake is never refused", "[client][connection_watch]") {
  ConnectionWatch watch(1000ms);
  Refused(watch, kStart);  // the broker was still starting
  watch.Observe(SocketEvent::kConnectStarted, kStart + 100ms);
  watch.Observe(SocketEvent::kConnected, kStart + 100ms);
  CHECK_FALSE(watch.peer_up_since().has_value());
  watch.Observe(SocketEvent::kHandshakeSucceeded, kStart + 101ms);
  CHECK(watch.peer_up_since() == kStart + 101ms);
  CHECK(watch.Check(kStart + 5000ms) == ConnectionVerdict::kUndecided);
  CHECK(watch.AtTimeout() == ConnectionVerdict::kUndecided);  // a slow answer: a timeout, for the retries
  CHECK_FALSE(watch.NextCheck().has_value());

  // The broker goes away; from then on the refusals count again.
  watch.Observe(SocketEvent::kDisconnected, kStart + 6000ms);
  CHECK_FALSE(watch.peer_up_since().has_value());
  Refused(watch, kStart + 6100ms);
  CHECK(watch.Check(kStart + 7099ms) == ConnectionVerdict::kUndecided);
  CHECK(watch.Check(kStart + 7100ms) == ConnectionVerdict::kRefused);
  CHECK(watch.failed_attempts() == 1);
}

TEST_CASE("connection watch: a closed connection that had connected is no refusal", "[client][connection_watch]") {
  ConnectionWatch watch(0ms);
  watch.Observe(SocketEvent::kConnectStarted, kStart);
  watch.Observe(SocketEvent::kConnected, kStart);
  watch.Observe(SocketEvent::kClosed, kStart);
  CHECK(watch.Check(kStart + 1s) == ConnectionVerdict::kUndecided);
}

TEST_CASE("connection watch: failed handshakes say the peer is not ZeroMQ", "[client][connection_watch]") {
  ConnectionWatch watch(500ms);
  for (auto at : {kStart, kStart + 130ms}) {
    watch.Observe(SocketEvent::kConnectStarted, at);
    watch.Observe(SocketEvent::kConnected, at);
    watch.Observe(SocketEvent::kHandshakeFailed, at);
    watch.Observe(SocketEvent::kDisconnected, at);
  }
  CHECK(watch.Check(kStart + 499ms) == ConnectionVerdict::kUndecided);
  CHECK(watch.Check(kStart + 500ms) == ConnectionVerdict::kNotZeroMq);
  CHECK(watch.Describe(ConnectionVerdict::kNotZeroMq, "tcp://h:80", kStart + 500ms) ==
        "tcp://h:80 accepts connections but is not a ZeroMQ peer (the handshake failed 2 times in 500 ms); "
        "is that the broker's client port?");
}

TEST_CASE("connection watch: a mechanism mismatch names the missing or unwanted key, at once",
          "[client][connection_watch]") {
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) ==
        SocketEvent::kMechanismMismatch);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC) ==
        SocketEvent::kHandshakeFailed);
  CHECK(ts::SocketEventFromZmq(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400) == SocketEvent::kKeyRefused);

  ConnectionWatch plain(1000ms, /*client_has_key=*/false);
  plain.Observe(SocketEvent::kConnected, kStart);
  plain.Observe(SocketEvent::kMechanismMismatch, kStart);
  CHECK(plain.Check(kStart) == ConnectionVerdict::kNeedsKey);  // no window: a key does not appear by waiting
  const std::string needs = plain.Describe(ConnectionVerdict::kNeedsKey, "tcp://h:1", kStart);
  CHECK_THAT(needs, Catch::StartsWith("tcp://h:1 requires CURVE and this client has no key"));
  CHECK_THAT(needs, Catch::Contains("--key FILE") && Catch::Contains("TUPLESTAR_KEY") &&
                        Catch::Contains("DIR/keys/clients/client"));

  ConnectionWatch keyed(1000ms, /*client_has_key=*/true);
  keyed.Observe(SocketEvent::kConnected, kStart);
  keyed.Observe(SocketEvent::kMechanismMismatch, kStart);
  CHECK(keyed.Check(kStart) == ConnectionVerdict::kOpenEndpoint);
  CHECK_THAT(keyed.Describe(ConnectionVerdict::kOpenEndpoint, "tcp://h:1", kStart),
             Catch::Contains("open endpoint") && Catch::Contains("without --key"));
}

TEST_CASE("connection watch: a keyless client whose greeting is dropped is told to give a key, after the window",
          "[client][connection_watch]") {
  ConnectionWatch plain(500ms, false);
  plain.Observe(SocketEvent::kConnected, kStart);
  plain.Observe(SocketEvent::kHandshakeDropped, kStart);
  CHECK(plain.Check(kStart) == ConnectionVerdict::kUndecided);  // also what a non-ZeroMQ listener may do
  CHECK(plain.Check(kStart + 500ms) == ConnectionVerdict::kDroppedWithoutKey);
  CHECK_THAT(plain.Describe(ConnectionVerdict::kDroppedWithoutKey, "tcp://h:1", kStart + 500ms),
             Catch::Contains("this client has no key") && Catch::Contains("TUPLESTAR_KEY") &&
                 Catch::Contains("--key FILE") && Catch::Contains("DIR/keys/clients/client"));
  ConnectionWatch keyed(0ms, true);
  keyed.Observe(SocketEvent::kConnected, kStart);
  keyed.Observe(SocketEvent::kHandshakeDropped, kStart);
  CHECK(keyed.AtTimeout() == ConnectionVerdict::kNotZeroMq);
}

TEST_CASE("connection watch: a refused key at once, a dropped CURVE handshake after the window",
          "[client][connection_watch]") {
  ConnectionWatch refused(1000ms, true);
  refused.Observe(SocketEvent::kConnected, kStart);
  refused.Observe(SocketEvent::kKeyRefused, kStart);
  refused.Observe(SocketEvent::kDisconnected, kStart);
  CHECK(refused.Check(kStart) == ConnectionVerdict::kKeyRefused);  // the disconnect after it says no more

  ConnectionWatch dropped(1000ms, true);
  dropped.Observe(SocketEvent::kConnected, kStart);
  dropped.Observe(SocketEvent::kDisconnected, kStart);
  CHECK(dropped.Check(kStart) == ConnectionVerdict::kUndecided);
  CHECK(dropped.Check(kStart + 1000ms) == ConnectionVerdict::kServerKeyWrong);
  CHECK_THAT(dropped.Describe(ConnectionVerdict::kServerKeyWrong, "tcp://h:1", kStart + 1000ms),
             Catch::Contains("--server-key"));

  // Without a key, a connection dropped before its handshake is no verdict.
  ConnectionWatch plain(0ms, false);
  plain.Observe(SocketEvent::kConnected, kStart);
  plain.Observe(SocketEvent::kDisconnected, kStart);
  CHECK(plain.AtTimeout() == ConnectionVerdict::kUndecided);
}
