// The pipelined client: one DEALER socket to the broker's client endpoint with
// many requests in flight, for tools and benchmarks. Requests are numbered
// like Client's (random client id, request numbers 1, 2, 3, ...); replies are
// matched to requests by request number, in whatever order they come.
//
// Every request is bounded in time: an attempt that gets no reply within
// request_timeout is sent again with the same request number (the DEALER
// socket need not be reopened), and after 1 + retries attempts the request
// completes with kUnavailable. Frames on the wire are [empty][request], as a
// REQ socket would send them, so the broker treats both alike.
// Several brokers ("EP1,EP2"): the DEALER talks to one broker at a time (the
// primary needs one client's requests in order, which two paths would not
// keep); when requests time out, it moves to the next broker and resends them
// there (same request numbers: applied once).
// Pipelining (as Redis's): Send queues a request; Poll (or Flush) sends
// every queued one in one go, as ONE frame: a bundle (schema/frame_bundle.h)
// in [empty][bundle]. CURVE seals each frame in a box of its own, so 16
// requests cost the client and the broker one box each way instead of 32; a
// broker answers such a client with bundles of the replies ready together.
// A connection that is refused (nobody listening, or the handshake fails:
// a wrong key, not a ZeroMQ peer) fails every request out at once, with an
// error naming the endpoint and what happened (clients/connection_watch.h),
// once that has lasted refused_after; with several brokers the requests move
// on to the next one at their timeouts instead.
// Nothing throws. Not thread-safe: one PipelinedClient per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "clients/client_config.h"
#include "clients/client_transport.h"
#include "clients/in_flight.h"
#include "common/status.h"
#include "schema/messages.h"

namespace ts {

struct PipelineOptions {
  std::chrono::milliseconds request_timeout = client_config::kDefaultRequestTimeout;  // per attempt
  int retries = client_config::kDefaultRequestRetries;  // attempts = 1 + retries
  size_t max_in_flight = client_config::kDefaultMaxInFlight;
  uint64_t client_id = 0;  // 0: draw a random one
  // A context to share with other clients (not owned; it must outlive the
  // client): many clients in one process then share its I/O thread instead
  // of starting one each. Null: the client makes its own.
  zmq::context_t* shared_context = nullptr;
  std::optional<ClientCurve> curve;  // CURVE keys (client_keys.h); none: plain text
  // A connection refused for this long fails the requests out (one broker).
  std::chrono::milliseconds refused_after = client_config::kDefaultRefusedAfter;
};

struct Completion {
  uint64_t request_number = 0;
  Result<Reply> reply = Error{ErrorKind::kInternal, "not completed"};
  int attempts = 0;  // how many times the request was sent
};

struct PipelineStats {
  uint64_t sent = 0;          // first attempts
  uint64_t resent = 0;        // retries
  uint64_t completed = 0;     // replies matched to a request
  uint64_t expired = 0;       // requests that ran out of attempts
  uint64_t unmatched = 0;     // replies for no request out (duplicates, strays)
  uint64_t undecodable = 0;   // reply frames that are not a Reply
};

class PipelinedClient {
 public:
  explicit PipelinedClient(std::string endpoint, PipelineOptions options = {});
  ~PipelinedClient();
  PipelinedClient(const PipelinedClient&) = delete;
  PipelinedClient& operator=(const PipelinedClient&) = delete;

  // Numbers `request` and queues it; returns its request number. It leaves
  // at the next Poll or Flush, with every request queued by then, and its
  // first attempt's timeout runs from now. Fails (nothing queued) when
  // max_in_flight requests are already out or the endpoint is bad.
  Result<uint64_t> Send(Request request);

  // Sends the queued requests now, as one bundle (one frame: plain when one).
  // A socket that cannot take it within kSendTimeout loses that attempt:
  // the requests are resent at their timeouts.
  void Flush();

  // Waits at most `wait` until at least one request completes (by a reply or
  // by running out of attempts), resending timed-out attempts on the way, and
  // returns every completion ready by then (possibly none).
  std::vector<Completion> Poll(std::chrono::milliseconds wait);

  // Sends all `requests` keeping at most max_in_flight out, waits for every
  // one, and returns result i for requests[i]. Bounded: no request waits past
  // its last attempt.
  std::vector<Result<Reply>> CallAll(std::vector<Request> requests);

  size_t in_flight() const { return table_.size(); }
  const PipelineStats& stats() const { return stats_; }
  uint64_t client_id() const { return options_.client_id; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  bool SendFrame(const std::string& frame);
  bool WaitForReplies(std::chrono::milliseconds slice, std::vector<Completion>& out);
  void FailAll(const Error& error, std::vector<Completion>& out);
  void ReceiveReady(std::vector<Completion>& out);  // drains the socket, never waits
  void TakeReply(std::string_view frame, std::vector<Completion>& out);
  void HandleTick(std::vector<Completion>& out);
  Error NoReplyError(uint64_t number) const;

  std::string endpoint_;
  std::vector<std::string> endpoints_;  // endpoint_ split at commas
  size_t current_ = 0;                  // the broker the DEALER is connected to
  PipelineOptions options_;
  InFlightTable table_;
  std::unique_ptr<zmq::context_t> own_context_;  // unless options_.shared_context
  std::optional<WatchedSocket> watched_;  // its socket is the DEALER
  zmq::socket_t* socket_ = nullptr;       // watched_'s socket
  ConnectionWatch watch_;
  std::vector<std::string> unsent_;       // queued by Send, sent by Flush
  std::optional<Error> setup_error_;
  uint64_t last_request_number_ = 0;
  PipelineStats stats_;
};

}  // namespace ts
