#include "common/security/zap_handler.h"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "common/socket_support.h"

namespace ts::security {

Result<std::unique_ptr<ZapHandler>> ZapHandler::Start(zmq::context_t& context, KeyLoader loader,
                                                      ZapHandlerOptions options) {
  Result<AllowList> keys = loader();
  if (!keys.ok()) return keys.error();
  try {
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind(kZapEndpoint);
    return std::unique_ptr<ZapHandler>(
        new ZapHandler(context, std::move(socket), std::move(loader), std::move(keys).value(), options));
  } catch (const zmq::error_t& e) {
    return Error{ErrorKind::kInternal, std::string("cannot bind the ZAP handler at ") + kZapEndpoint + ": " + e.what() +
                                           (e.num() == EADDRINUSE ? " (this context has a ZAP handler already)" : "")};
  }
}

ZapHandler::ZapHandler(zmq::context_t& context, zmq::socket_t socket, KeyLoader loader, AllowList keys,
                       ZapHandlerOptions options)
    : context_(context),
      socket_(std::move(socket)),
      loader_(std::move(loader)),
      options_(options),
      policy_(options.rules, std::move(keys)) {
  for (const std::string& domain : policy_.Domains()) {
    domains_.emplace_back(domain, LogRateLimiter(options_.refusal_log_burst, options_.refusal_log_window));
  }
  domains_.emplace_back(std::string(kUnlistedDomain), LogRateLimiter(options_.refusal_log_burst, options_.refusal_log_window));
  // The socket moves to the thread here; starting a thread is the full fence
  // libzmq asks for when a socket changes threads.
  thread_ = std::thread([this] { Run(); });
}

ZapHandler::~ZapHandler() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

Status ZapHandler::Reload() {
  Result<AllowList> keys = loader_();  // outside the lock: handshakes go on meanwhile
  if (!keys.ok()) return keys.error();
  std::lock_guard lock(policy_mutex_);
  policy_.ReplaceKeys(std::move(keys).value());
  return Status::Ok();
}

bool ZapHandler::HasDomain(std::string_view domain) const {
  std::lock_guard lock(policy_mutex_);
  return policy_.HasDomain(domain);
}

const ZapHandler::DomainState* ZapHandler::FindState(std::string_view domain) const {
  for (const DomainState& state : domains_) {
    if (state.domain == domain) return &state;
  }
  return nullptr;
}

ZapHandler::DomainState& ZapHandler::StateOf(std::string_view domain) {
  const DomainState* state = FindState(domain);
  return const_cast<DomainState&>(state != nullptr ? *state : domains_.back());
}

uint64_t ZapHandler::admitted(std::string_view domain) const {
  const DomainState* state = FindState(domain);
  return state == nullptr ? 0 : state->admitted.load();
}

uint64_t ZapHandler::refused(std::string_view domain) const {
  const DomainState* state = FindState(domain);
  return state == nullptr ? 0 : state->refused.load();
}

std::vector<ZapRefusalCount> ZapHandler::RefusalsByReason() const {
  const auto count = [&](ZapOutcome outcome) { return refused_by_outcome_[static_cast<size_t>(outcome)].load(); };
  return {{"unknown_key", count(ZapOutcome::kUnknownKey)},
          {"role_refused", count(ZapOutcome::kRoleRefused)},
          {"not_curve", count(ZapOutcome::kNotCurve)},
          {"bad_credentials", count(ZapOutcome::kBadCredentials)},
          {"unknown_domain", count(ZapOutcome::kUnknownDomain)},
          {"malformed", malformed_.load()}};
}

uint64_t ZapHandler::refused_total() const {
  uint64_t total = 0;
  for (const ZapRefusalCount& count : RefusalsByReason()) total += count.refused;
  return total;
}

std::vector<ZapDomainCount> ZapHandler::Counts() const {
  std::vector<ZapDomainCount> counts;
  for (const DomainState& state : domains_) counts.push_back({state.domain, state.admitted.load(), state.refused.load()});
  return counts;
}

void ZapHandler::Run() {
  while (!stop_.load()) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, options_.poll_interval);
      const cluster::TimePoint now = cluster::SteadyNow();
      for (DomainState& state : domains_) {
        if (const uint64_t held = state.refusal_log.TakeSuppressed(now)) {
          spdlog::warn("ZAP {}: {} more refusals not logged", state.domain, held);
        }
      }
      if ((item.revents & ZMQ_POLLIN) != 0) AnswerOne(now);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal meant for the shell's loop
      // ETERM or worse: nothing is answered any more, and the server sockets
      // (ZMQ_ZAP_ENFORCE_DOMAIN) refuse every new handshake.
      spdlog::error("ZAP handler: socket failure: {}; new connections will be refused", e.what());
      break;
    }
  }
  socket_.close();
  running_.store(false);
}

void ZapHandler::AnswerOne(cluster::TimePoint now) {
  std::vector<std::string> frames;
  zmq::message_t part;
  do {
    if (!socket_.recv(part, zmq::recv_flags::dontwait)) return;  // nothing after all
    frames.emplace_back(part.data<char>(), part.size());
  } while (part.more());

  ZapReply reply;
  Result<ZapRequest> request = ParseZapRequest(frames);
  if (!request.ok()) {
    ++malformed_;
    spdlog::error("ZAP: {}; answered 500", request.error().message);
    reply = ZapReply{frames.size() > 1 ? frames[1] : "", std::string(zap_status::kFailed), "malformed request", ""};
  } else {
    ZapVerdict verdict;
    {
      std::lock_guard lock(policy_mutex_);
      verdict = policy_.Decide(request.value());
    }
    DomainState& state = StateOf(request.value().domain);
    if (verdict.admitted()) {
      ++state.admitted;
      spdlog::debug("ZAP {}: {} from {}", state.domain, verdict.reason, request.value().address);
    } else {
      ++state.refused;
      ++refused_by_outcome_[static_cast<size_t>(verdict.outcome)];
      if (const uint64_t held = state.refusal_log.TakeSuppressed(now)) {
        spdlog::warn("ZAP {}: {} more refusals not logged", state.domain, held);
      }
      if (state.refusal_log.Allow(now)) {
        spdlog::warn("ZAP {}: refused {} ({}): {}", request.value().domain, request.value().address,
                     ZapOutcomeName(verdict.outcome), verdict.reason);
      }
    }
    reply = verdict.Reply(request.value().request_id);
  }
  const std::vector<std::string> reply_frames = ZapReplyFrames(reply);
  for (size_t i = 0; i < reply_frames.size(); ++i) {
    const auto flags = i + 1 < reply_frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    socket_.send(zmq::buffer(reply_frames[i]), flags);
  }
}

}  // namespace ts::security
