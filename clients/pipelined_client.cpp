#include "clients/pipelined_client.h"

#include <algorithm>
#include <map>

#include "clients/client_transport.h"
#include "schema/codec.h"
#include "schema/frame_bundle.h"

namespace ts {
namespace {

using SteadyClock = std::chrono::steady_clock;

PipelineOptions Sanitized(PipelineOptions options) {
  if (options.client_id == 0) options.client_id = RandomClientId();
  options.retries = std::clamp(options.retries, 0, client_config::kMaxRequestRetries);
  if (options.request_timeout.count() < 1) options.request_timeout = std::chrono::milliseconds(1);
  options.max_in_flight = std::max<size_t>(1, options.max_in_flight);
  return options;
}

}  // namespace

PipelinedClient::PipelinedClient(std::string endpoint, PipelineOptions options)
    : endpoint_(std::move(endpoint)),
      options_(Sanitized(options)),
      table_(options_.request_timeout, 1 + options_.retries),
      watch_(options_.refused_after) {
  zmq::context_t* context = options_.shared_context;
  if (context == nullptr) {
    try {
      own_context_ = std::make_unique<zmq::context_t>(1);
    } catch (const zmq::error_t& error) {
      setup_error_ = Error{ErrorKind::kUnavailable,
                           std::string("cannot create a ZeroMQ context: ") + error.what()};
      return;
    }
    context = own_context_.get();
  }
  // One broker at a time: the primary needs a client's requests in order,
  // and two paths (two brokers) would reorder them.
  endpoints_ = SplitEndpoints(endpoint_);
  Result<WatchedSocket> socket =
      WatchedSocket::Connect(*context, zmq::socket_type::dealer, endpoints_[current_], options_.curve);
  if (!socket.ok()) {
    setup_error_ = socket.error();
    return;
  }
  watched_.emplace(std::move(socket).value());
  socket_ = &watched_->socket();
}

PipelinedClient::~PipelinedClient() {
  socket_ = nullptr;
  watched_.reset();
}

bool PipelinedClient::SendFrame(const std::string& frame) {
  try {
    // The empty delimiter makes the DEALER's frames look like a REQ socket's.
    if (!socket_->send(zmq::message_t(), zmq::send_flags::sndmore)) return false;
    return socket_->send(zmq::buffer(frame), zmq::send_flags::none).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

Result<uint64_t> PipelinedClient::Send(Request request) {
  if (setup_error_) return *setup_error_;
  if (table_.size() >= options_.max_in_flight) {
    return Error{ErrorKind::kTooLarge, "already " + std::to_string(table_.size()) +
                                           " requests in flight (the limit); poll for replies first"};
  }
  request.id = RequestId{options_.client_id, last_request_number_ + 1};
  std::string frame = EncodeRequest(request);
  ++last_request_number_;
  ++stats_.sent;
  unsent_.push_back(frame);
  table_.OnSent(last_request_number_, std::move(frame), SteadyClock::now());
  return last_request_number_;
}

void PipelinedClient::Flush() {
  if (unsent_.empty() || socket_ == nullptr) return;
  // Runs of small frames as bundles (one, normally); a large request alone.
  for (const std::string& part : BundleFrames(unsent_)) {
    if (!SendFrame(part)) break;  // a lost attempt: resent at its timeout
  }
  unsent_.clear();
}

Error PipelinedClient::NoReplyError(uint64_t number) const {
  if (ConnectionVerdict verdict = watch_.AtTimeout(); verdict != ConnectionVerdict::kUndecided) {
    return Error{ErrorKind::kUnavailable,
                 watch_.Describe(verdict, endpoints_[current_], ConnectionWatch::Clock::now())};
  }
  int attempts = table_.max_attempts();
  return Error{ErrorKind::kUnavailable,
               "no reply from " + endpoint_ + " to request " + std::to_string(number) + " after " +
                   std::to_string(attempts) + (attempts == 1 ? " attempt of " : " attempts of ") +
                   DescribeMs(options_.request_timeout)};
}

void PipelinedClient::ReceiveReady(std::vector<Completion>& out) {
  while (true) {
    std::vector<zmq::message_t> parts;
    try {
      zmq::message_t part;
      if (!socket_->recv(part, zmq::recv_flags::dontwait)) return;
      bool more = part.more();
      parts.push_back(std::move(part));
      while (more) {
        zmq::message_t next;
        if (!socket_->recv(next, zmq::recv_flags::dontwait)) break;
        more = next.more();
        parts.push_back(std::move(next));
      }
    } catch (const zmq::error_t&) {
      return;
    }
    // [empty][reply] or [empty][bundle of replies]; the reply is the last frame.
    Result<std::vector<std::string_view>> frames = FramesIn(parts.back().to_string_view());
    if (!frames.ok()) {
      ++stats_.undecodable;
      continue;
    }
    for (std::string_view frame : frames.value()) TakeReply(frame, out);
  }
}

void PipelinedClient::TakeReply(std::string_view frame, std::vector<Completion>& out) {
  Result<Reply> reply = DecodeReply(frame);
  if (!reply.ok()) {
    ++stats_.undecodable;
    return;
  }
  const RequestId& id = reply.value().id;
  if (id.client_id != 0 && id.client_id != options_.client_id) {
    ++stats_.unmatched;
    return;
  }
  std::optional<InFlightTable::Completed> completed = table_.OnReply(id.request_number);
  if (!completed) {
    ++stats_.unmatched;
    return;
  }
  ++stats_.completed;
  out.push_back(Completion{completed->number, std::move(reply).value(), completed->attempts});
}

void PipelinedClient::HandleTick(std::vector<Completion>& out) {
  InFlightTable::TickActions actions = table_.OnTick(SteadyClock::now());
  for (uint64_t number : actions.expired) {
    ++stats_.expired;
    out.push_back(Completion{number, NoReplyError(number), table_.max_attempts()});
  }
  std::vector<uint64_t> send = std::move(actions.resend);
  if (!send.empty() && endpoints_.size() > 1) {
    // Timeouts: every request out (same request numbers: applied once) goes
    // to the next broker, oldest first, not only those that timed out.
    try {
      socket_->disconnect(endpoints_[current_]);
      current_ = (current_ + 1) % endpoints_.size();
      socket_->connect(endpoints_[current_]);
      send = table_.RedirectAll(SteadyClock::now(), send);
    } catch (const zmq::error_t&) {
      // stays where it was; the next timeout tries again
    }
  }
  for (uint64_t number : send) {
    ++stats_.resent;
    SendFrame(table_.FrameOf(number));  // a failed resend is just another lost attempt
  }
}

std::vector<Completion> PipelinedClient::Poll(std::chrono::milliseconds wait) {
  std::vector<Completion> out;
  if (setup_error_) return out;
  Flush();
  const auto give_up = SteadyClock::now() + wait;
  while (true) {
    ReceiveReady(out);
    HandleTick(out);
    auto now = SteadyClock::now();
    if (!out.empty() || now >= give_up) return out;
    auto until = give_up;
    if (std::optional<InFlightTable::TimePoint> deadline = table_.NextDeadline()) {
      until = std::min(until, *deadline);
    }
    auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(until - now) +
                 std::chrono::milliseconds(1);
    slice = std::min(slice, client_config::kPipelinePollSlice);
    if (!WaitForReplies(slice, out)) return out;
  }
}

// false: stop waiting (the wait failed, or the connection was refused and
// every request out has failed with the watch's verdict).
bool PipelinedClient::WaitForReplies(std::chrono::milliseconds slice, std::vector<Completion>& out) {
  if (endpoints_.size() > 1) return WaitReadable(*socket_, slice).ok();  // timeouts move on to the next broker
  Result<bool> readable = watched_->WaitReadable(slice, watch_);
  if (readable.ok()) return true;
  FailAll(readable.error(), out);
  return false;
}

void PipelinedClient::FailAll(const Error& error, std::vector<Completion>& out) {
  for (const InFlightTable::Completed& failed : table_.TakeAll()) {
    ++stats_.expired;
    out.push_back(Completion{failed.number, error, failed.attempts});
  }
}

std::vector<Result<Reply>> PipelinedClient::CallAll(std::vector<Request> requests) {
  std::vector<Result<Reply>> results(requests.size(),
                                     Error{ErrorKind::kInternal, "request was not completed"});
  std::map<uint64_t, size_t> index_of_number;
  size_t next = 0;
  size_t done = 0;
  while (done < requests.size()) {
    while (next < requests.size() && table_.size() < options_.max_in_flight) {
      Result<uint64_t> number = Send(std::move(requests[next]));
      if (number.ok()) {
        index_of_number[number.value()] = next;
      } else {
        results[next] = number.error();
        ++done;
      }
      ++next;
    }
    if (done == requests.size()) break;
    for (Completion& completion : Poll(options_.request_timeout)) {
      auto found = index_of_number.find(completion.request_number);
      if (found == index_of_number.end()) continue;  // from an earlier Send by the caller
      results[found->second] = std::move(completion.reply);
      index_of_number.erase(found);
      ++done;
    }
  }
  return results;
}

}  // namespace ts
