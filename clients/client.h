// The request/reply client: one REQ socket to the broker's client endpoint,
// a timeout on every attempt, and Lazy Pirate retries (ZeroMQ guide ch. 4):
// when an attempt times out, the REQ socket is closed and reopened (a REQ
// socket that missed its reply can never send again) and the same frame is
// sent again, a bounded number of times.
//
// Exactly-once: each Client draws a random 64-bit client id once; each new
// call gets the next request number (1, 2, 3, ...); a retry REUSES the number,
// so a primary that already applied the request answers with its stored reply
// instead of applying it twice.
//
// Nobody listening: a socket monitor watches the connection attempts
// (clients/connection_watch.h); when every attempt of a call has been refused
// for `refused_after`, or the attempts ran out with nothing but refusals, the
// call ends with "connection refused by ...". The retry budget is spent only
// on real timeouts (a peer that took the connection but did not answer).
//
// Several brokers: the endpoint may be a comma list ("tcp://h:5555,tcp://h:5558",
// the brokers of one cluster). A call starts at the broker that answered last;
// when an attempt times out, nobody listens there, or the broker answers
// "unavailable" or "service refused", the same frame (same client id, same
// request number, so the primary applies it once) goes to the next broker.
// Every broker gets at least one attempt per call, so a dead broker costs a
// call at most one request timeout (less when its port refuses at once).
//
// Errors: a returned Error is always the client's own verdict (no reply in
// time: kUnavailable "no reply from tcp://... after 3 attempts of 2500 ms";
// nobody listening: kUnavailable "connection refused by tcp://..."; a bad
// endpoint: kUnavailable "'EP': not a valid ZeroMQ endpoint ..."; a reply
// frame that is not a Reply: kInternal). An error the SERVICE answered is a
// Reply whose `error` is set. Nothing throws. Not thread-safe: one Client per
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "clients/client_config.h"
#include "clients/client_transport.h"
#include "common/status.h"
#include "schema/messages.h"

namespace ts {

struct ClientOptions {
  std::chrono::milliseconds request_timeout = client_config::kDefaultRequestTimeout;  // per attempt
  int retries = client_config::kDefaultRequestRetries;  // attempts = 1 + retries
  // How long every connection attempt must have been refused before a call says so.
  std::chrono::milliseconds refused_after = client_config::kDefaultRefusedAfter;
  uint64_t client_id = 0;                               // 0: draw a random one
  std::optional<ClientCurve> curve;  // CURVE keys (client_keys.h); none: plain text
};

// What came back for bytes that need not be a valid request.
struct RawReply {
  std::string frame;             // the reply frame exactly as received
  std::optional<Reply> decoded;  // set when `frame` decodes as a Reply
  std::string decode_error;      // why it did not decode, otherwise
};

class Client {
 public:
  // Never fails here: an endpoint ZeroMQ rejects makes every call return that error.
  explicit Client(std::string endpoint, ClientOptions options = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Numbers `request` (its id is overwritten with this client's id and the
  // next request number), sends it, and waits: at most
  // (1 + retries) x (request_timeout + request.wait_ms) in all. A request
  // with a wait (GET/TAKE --wait, WATCH) may be held by the primary that
  // long before its answer; a retry reuses its id, so it still runs once.
  Result<Reply> Call(Request request);
  Result<Reply> Get(std::string key_pattern, std::string value_pattern);
  Result<Reply> Delete(std::string key_pattern, std::string value_pattern);
  Result<Reply> Put(std::vector<Pair> pairs);
  Result<Reply> Post(std::vector<Pair> pairs);

  // Sends `request` with its id exactly as given (no numbering): for tests
  // and tools that replay an earlier request id to check exactly-once.
  Result<Reply> CallWithId(const Request& request);

  // Sends `bytes` as the request frame, unchanged, with the same timeout and
  // retries. The reply is returned raw, decoded when it is a valid Reply.
  Result<RawReply> SendRaw(const std::string& bytes);

  // Consumes the next request id, for callers that encode their own request
  // frame and send it with SendRaw (tsctl put-raw).
  RequestId TakeNextRequestId() { return RequestId{options_.client_id, ++last_request_number_}; }

  // Closes the socket now (it reopens at the next call).
  void Disconnect();

  // Opens the connection to the current broker, if not open, and waits at
  // most `timeout` for its handshake: true once the broker is up. A call made
  // then times the round trip alone (tsctl ping), not the TCP connect and the
  // ZeroMQ (CURVE) handshake. false: not up in time (the call then finds out).
  bool WarmUp(std::chrono::milliseconds timeout);

  const std::string& endpoint() const { return endpoint_; }  // as given (maybe a list)
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  const std::string& current_endpoint() const { return endpoints_[current_]; }
  const ClientOptions& options() const { return options_; }
  uint64_t client_id() const { return options_.client_id; }
  uint64_t last_request_number() const { return last_request_number_; }
  int attempts_of_last_call() const { return attempts_of_last_call_; }  // 1 = no retry
  // The last reply's round trip: from the request's send to the reply (on a
  // fresh socket that includes the connect and handshake: see WarmUp).
  std::chrono::duration<double, std::milli> last_round_trip() const { return last_round_trip_; }

 private:
  // Lazy Pirate exchange of one frame over the broker list; the reply frame or
  // why there is none. `held`: how long the primary may hold the request (its
  // wait), added to every attempt's timeout.
  Result<std::string> Exchange(const std::string& frame, std::chrono::milliseconds held = {});
  // One broker's Lazy Pirate attempts (at most `attempts`); the reply frame or why none.
  Result<std::string> ExchangeWith(const std::string& frame, int attempts, std::chrono::milliseconds held);
  void MoveToNextBroker();
  Result<Reply> DecodeAndCheck(const std::string& frame, const RequestId& sent_id) const;

  std::string endpoint_;
  std::vector<std::string> endpoints_;  // endpoint_ split at commas
  size_t current_ = 0;                  // the broker the next attempt goes to
  ClientOptions options_;
  std::unique_ptr<zmq::context_t> context_;
  std::optional<WatchedSocket> socket_;
  std::optional<Error> setup_error_;
  uint64_t last_request_number_ = 0;
  int attempts_of_last_call_ = 0;
  std::chrono::duration<double, std::milli> last_round_trip_{0};
};

// Sends the shutdown command (a Request with op_name "SHUTDOWN", see
// docs/PROTOCOL.md "Shutdown endpoint") to the broker's shutdown endpoint and
// waits for its acknowledgement Reply, with `options`' timeout and retries.
// A comma list: to every broker in turn, one attempt each per round, so that
// every broker exits too; the rounds stop after one in which some broker
// answered (a dead broker costs one attempt) or when the retries run out. The
// first answer is returned; an error only when none answered.
Result<Reply> SendShutdown(const std::string& shutdown_endpoint, const ClientOptions& options = {});

// A Request with op_name "STATUS": the broker answers it with the cluster view.
Request MakeStatusRequest();

}  // namespace ts
