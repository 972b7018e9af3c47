#include "clients/client.h"

#include <algorithm>

#include "schema/codec.h"

namespace ts {

namespace {
// What a broker answers when another broker may do better: no primary in
// its sight for its hold time, or no client slot left.
bool WorthAnotherBroker(const std::string& frame) {
  Result<Reply> reply = DecodeReply(frame);
  return reply.ok() && reply.value().error &&
         (reply.value().error->kind == ErrorKind::kUnavailable || reply.value().error->kind == ErrorKind::kServiceRefused);
}
}  // namespace

Client::Client(std::string endpoint, ClientOptions options)
    : endpoint_(std::move(endpoint)), endpoints_(SplitEndpoints(endpoint_)), options_(options) {
  if (options_.client_id == 0) options_.client_id = RandomClientId();
  options_.retries = std::clamp(options_.retries, 0, client_config::kMaxRequestRetries);
  if (options_.request_timeout.count() < 1) options_.request_timeout = std::chrono::milliseconds(1);
  if (options_.refused_after.count() < 0) options_.refused_after = std::chrono::milliseconds(0);
  try {
    context_ = std::make_unique<zmq::context_t>(1);
  } catch (const zmq::error_t& error) {
    setup_error_ = Error{ErrorKind::kUnavailable,
                         std::string("cannot create a ZeroMQ context: ") + error.what()};
    return;
  }
  for (const std::string& one : endpoints_) {
    Status endpoint_ok = CheckEndpoint(one);
    if (!endpoint_ok.ok()) {
      setup_error_ = Error{ErrorKind::kUnavailable, "'" + one + "': " + endpoint_ok.error().message};
      return;
    }
  }
}

Client::~Client() { Disconnect(); }
Client::Client(Client&& other) noexcept
    : endpoint_(std::move(other.endpoint_)),
      endpoints_(std::move(other.endpoints_)),
      current_(other.current_),
      options_(other.options_),
      context_(std::move(other.context_)),
      socket_(std::move(other.socket_)),
      setup_error_(std::move(other.setup_error_)),
      last_request_number_(other.last_request_number_),
      attempts_of_last_call_(other.attempts_of_last_call_),
      last_round_trip_(other.last_round_trip_) {
  other.socket_.reset();
}
Client& Client::operator=(Client&& other) noexcept {
  if (this == &other) return *this;
  Disconnect();  // the old socket must close before its context is replaced
  endpoint_ = std::move(other.endpoint_);
  endpoints_ = std::move(other.endpoints_);
  current_ = other.current_;
  options_ = other.options_;
  socket_ = std::move(other.socket_);
  other.socket_.reset();
  context_ = std::move(other.context_);
  setup_error_ = std::move(other.setup_error_);
  last_request_number_ = other.last_request_number_;
  attempts_of_last_call_ = other.attempts_of_last_call_;
  last_round_trip_ = other.last_round_trip_;
  return *this;
}

void Client::Disconnect() { socket_.reset(); }

bool Client::WarmUp(std::chrono::milliseconds timeout) {
  if (setup_error_) return false;
  if (!socket_) {
    Result<WatchedSocket> socket =
        WatchedSocket::Connect(*context_, zmq::socket_type::req, endpoints_[current_], options_.curve);
    if (!socket.ok()) return false;
    socket_ = std::move(socket).value();
  }
  ConnectionWatch watch(options_.refused_after, options_.curve.has_value());
  Result<bool> up = socket_->WaitPeerUp(timeout, watch);
  return up.ok() && up.value();
}

void Client::MoveToNextBroker() {
  socket_.reset();
  current_ = (current_ + 1) % endpoints_.size();
}

// With one broker: its attempts, as before. With several: the attempts are
// shared out, each broker at least one, starting at the current one; a broker
// that times out, refuses the connection, or answers "unavailable" / "service
// refused" passes the frame to the next (the last such answer is returned when
// every broker said so).
Result<std::string> Client::Exchange(const std::string& frame, std::chrono::milliseconds held) {
  attempts_of_last_call_ = 0;
  if (setup_error_) return *setup_error_;
  const int total = 1 + options_.retries;
  if (endpoints_.size() == 1) return ExchangeWith(frame, total, held);
  const int brokers = static_cast<int>(endpoints_.size());
  int calls_made = 0;
  std::optional<Result<std::string>> last;
  for (int k = 0; k < std::max(total, brokers); ++k) {
    const int before = calls_made;
    Result<std::string> got = ExchangeWith(frame, 1, held);
    calls_made = before + attempts_of_last_call_;
    attempts_of_last_call_ = calls_made;
    if (got.ok() && !WorthAnotherBroker(got.value())) return got;
    last = std::move(got);
    MoveToNextBroker();
  }
  return std::move(*last);
}

Result<std::string> Client::ExchangeWith(const std::string& frame, int attempts, std::chrono::milliseconds held) {
  attempts_of_last_call_ = 0;
  const std::string& endpoint = endpoints_[current_];
  // One watch for the whole call: the run of refusals goes on across the
  // sockets Lazy Pirate reopens.
  ConnectionWatch watch(options_.refused_after, options_.curve.has_value());
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    attempts_of_last_call_ = attempt;
    if (!socket_) {
      Result<WatchedSocket> socket = WatchedSocket::Connect(*context_, zmq::socket_type::req, endpoint, options_.curve);
      if (!socket.ok()) return socket.error();
      socket_ = std::move(socket).value();
    }
    bool sent = false;
    try {
      sent = socket_->socket().send(zmq::buffer(frame), zmq::send_flags::none).has_value();
    } catch (const zmq::error_t&) {
      sent = false;  // treated like a lost request: reopen and try again
    }
    if (sent) {
      const ConnectionWatch::Clock::time_point sent_at = ConnectionWatch::Clock::now();
      Result<bool> readable = socket_->WaitReadable(options_.request_timeout + held, watch);
      if (!readable.ok()) {
        socket_.reset();
        return readable.error();
      }
      if (readable.value()) {
        zmq::message_t reply;
        try {
          if (socket_->socket().recv(reply, zmq::recv_flags::dontwait)) {
            // A well-behaved broker sends one frame; drop any extra ones.
            while (reply.more()) {
              zmq::message_t extra;
              if (!socket_->socket().recv(extra, zmq::recv_flags::dontwait)) break;
              if (!extra.more()) break;
            }
            // From the send, not from the monitor's handshake event: that
            // event is stamped when it is read, often with the reply itself.
            last_round_trip_ = ConnectionWatch::Clock::now() - sent_at;
            return reply.to_string();
          }
        } catch (const zmq::error_t&) {
          // fall through: reopen and retry
        }
      }
    }
    // Lazy Pirate: this REQ socket is stuck waiting for a reply that may never
    // come; close it (linger 0 drops what it holds) and open a fresh one.
    socket_.reset();
  }
  if (ConnectionVerdict verdict = watch.AtTimeout(); verdict != ConnectionVerdict::kUndecided) {
    return Error{ErrorKind::kUnavailable, watch.Describe(verdict, endpoint, ConnectionWatch::Clock::now())};
  }
  return Error{ErrorKind::kUnavailable,
               "no reply from " + endpoint + " after " + std::to_string(attempts) +
                   (attempts == 1 ? " attempt of " : " attempts of ") +
                   DescribeMs(options_.request_timeout + held)};
}

Result<Reply> Client::DecodeAndCheck(const std::string& frame, const RequestId& sent_id) const {
  Result<Reply> reply = DecodeReply(frame);
  if (!reply.ok()) {
    return Error{ErrorKind::kInternal,
                 "the reply from " + current_endpoint() + " is not a valid reply: " + reply.error().message};
  }
  // The broker answers some requests itself (service refused, unavailable)
  // and may leave the id zero; any other id must be the one we sent.
  const RequestId& got = reply.value().id;
  bool unnumbered = got.client_id == 0 && got.request_number == 0;
  if (!unnumbered && !(got == sent_id)) {
    return Error{ErrorKind::kInternal,
                 "the reply from " + current_endpoint() + " answers request " +
                     std::to_string(got.request_number) + " of client " + std::to_string(got.client_id) +
                     ", not request " + std::to_string(sent_id.request_number) + " of client " +
                     std::to_string(sent_id.client_id)};
  }
  return reply;
}

Result<Reply> Client::Call(Request request) {
  request.id = TakeNextRequestId();
  return CallWithId(request);
}

Result<Reply> Client::CallWithId(const Request& request) {
  // A request the primary may hold (GET/TAKE --wait, WATCH) gets its wait
  // on top of each attempt's timeout.
  Result<std::string> frame = Exchange(EncodeRequest(request), std::chrono::milliseconds(request.wait_ms));
  if (!frame.ok()) return frame.error();
  return DecodeAndCheck(frame.value(), request.id);
}

Result<Reply> Client::Get(std::string k, std::string v) { return Call(MakeGet(std::move(k), std::move(v))); }
Result<Reply> Client::Delete(std::string k, std::string v) { return Call(MakeDelete(std::move(k), std::move(v))); }
Result<Reply> Client::Put(std::vector<Pair> pairs) { return Call(MakePut(std::move(pairs))); }
Result<Reply> Client::Post(std::vector<Pair> pairs) { return Call(MakePost(std::move(pairs))); }

Result<RawReply> Client::SendRaw(const std::string& bytes) {
  Result<std::string> frame = Exchange(bytes);
  if (!frame.ok()) return frame.error();
  RawReply raw;
  raw.frame = std::move(frame).value();
  Result<Reply> decoded = DecodeReply(raw.frame);
  if (decoded.ok()) {
    raw.decoded = std::move(decoded).value();
  } else {
    raw.decode_error = decoded.error().message;
  }
  return raw;
}

Result<Reply> SendShutdown(const std::string& shutdown_endpoint, const ClientOptions& options) {
  // Every broker of the list gets the command: the first that answers stops
  // the nodes; the others then find no live node and exit at once. The
  // attempts go round the list, one per broker not yet answered, until a
  // round in which some broker answered: a dead broker (refused, or silent)
  // then cost one attempt, not the whole retry budget. Each broker has its
  // own Client, so its retries reuse one request id.
  const std::vector<std::string> endpoints = SplitEndpoints(shutdown_endpoint);
  if (endpoints.size() == 1) {
    Client client(shutdown_endpoint, options);
    Request request;
    request.op_name = client_config::kShutdownOpName;
    return client.Call(std::move(request));
  }
  ClientOptions one_attempt = options;
  const int rounds = 1 + std::clamp(options.retries, 0, client_config::kMaxRequestRetries);
  one_attempt.retries = 0;
  std::vector<Client> clients;
  std::vector<Request> requests;
  for (const std::string& endpoint : endpoints) {
    clients.emplace_back(endpoint, one_attempt);
    Request request;
    request.op_name = client_config::kShutdownOpName;
    request.id = clients.back().TakeNextRequestId();
    requests.push_back(std::move(request));
  }
  std::vector<bool> answered(endpoints.size(), false);
  std::optional<Result<Reply>> first_answer;
  std::optional<Result<Reply>> last_error;
  for (int round = 0; round < rounds && !first_answer; ++round) {
    for (size_t i = 0; i < endpoints.size(); ++i) {
      if (answered[i]) continue;
      Result<Reply> reply = clients[i].CallWithId(requests[i]);
      if (reply.ok()) {
        answered[i] = true;
        if (!first_answer) first_answer = std::move(reply);
      } else {
        last_error = std::move(reply);
      }
    }
  }
  return first_answer ? std::move(*first_answer) : std::move(*last_error);
}

Request MakeStatusRequest() {
  Request request;
  request.op_name = client_config::kStatusOpName;
  return request;
}

}  // namespace ts
