#include "bench/peers/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <thread>
#include <vector>

#include "bench/op_mix.h"

namespace ts::bench::peers {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// The error kind of a context whose last call failed; `saved_errno` is errno right after it.
std::string FailureKind(const redisContext* context, int saved_errno) {
  switch (context->err) {
    case REDIS_ERR_IO:
      return saved_errno == EAGAIN || saved_errno == EWOULDBLOCK ? "timeout" : "io";
    case REDIS_ERR_EOF:
      return "eof";
    case REDIS_ERR_PROTOCOL:
      return "protocol";
    default:
      return "client_error";
  }
}

RedisReplyView ViewOf(const redisReply* reply, Clock::time_point at) {
  RedisReplyView view;
  view.at = at;
  switch (reply->type) {
    case REDIS_REPLY_STATUS:
      view.type = RedisReplyView::Type::kStatus;
      break;
    case REDIS_REPLY_ERROR:
      view.type = RedisReplyView::Type::kError;
      break;
    case REDIS_REPLY_INTEGER:
      view.type = RedisReplyView::Type::kInteger;
      view.integer = reply->integer;
      break;
    case REDIS_REPLY_STRING:
      view.type = RedisReplyView::Type::kString;
      break;
    case REDIS_REPLY_NIL:
      view.type = RedisReplyView::Type::kNil;
      break;
    default:
      view.type = RedisReplyView::Type::kOther;
  }
  if (reply->type == REDIS_REPLY_STATUS || reply->type == REDIS_REPLY_ERROR) view.text.assign(reply->str, reply->len);
  return view;
}

void Append(redisContext* context, const std::vector<std::string>& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& part : command) {
    argv.push_back(part.data());
    lengths.push_back(part.size());
  }
  redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(), lengths.data());
}

// Sends `round` and reads its replies until all came or the connection broke.
// Returns the break's error kind ("" when every reply came).
std::string Exchange(redisContext* context, const RedisRound& round, std::vector<RedisReplyView>& replies) {
  for (const std::vector<std::string>& command : round.commands) Append(context, command);
  while (replies.size() < round.commands.size()) {
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) return FailureKind(context, errno);
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(ViewOf(reply, Clock::now()));
    freeReplyObject(reply);
  }
  return "";
}

}  // namespace

RedisConnection::RedisConnection(RedisTarget target, RedisWorkload workload, WriteRoundSpec spec, PeerKeyMaker keys)
    : target_(std::move(target)), workload_(workload), spec_(spec), keys_(std::move(keys)) {}

RedisConnection::~RedisConnection() { Disconnect(); }

std::string RedisConnection::Connect() {
  if (context_ != nullptr) return "";
  context_ = redisConnectWithTimeout(target_.host.c_str(), target_.port, ToTimeval(target_.connect_timeout));
  if (context_ == nullptr || context_->err != 0 || redisSetTimeout(context_, ToTimeval(target_.reply_timeout)) != REDIS_OK) {
    Disconnect();
    return "connect_failed";
  }
  return "";
}

void RedisConnection::Disconnect() {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
}

void RedisConnection::RunRound(size_t count, const std::function<void(const OpOutcome&)>& done) {
  RedisRound round;
  if (workload_ == RedisWorkload::kWrite) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t i = 0; i < count; ++i) pairs.emplace_back(keys_.NextWriteKey(), keys_.NextValue());
    round = PlanWriteRound(pairs, spec_);
  } else {
    std::vector<std::string> keys;
    for (size_t i = 0; i < count; ++i) keys.push_back(keys_.NextReadKey());
    round = PlanReadRound(keys);
  }
  const Clock::time_point sent_at = Clock::now();
  std::vector<RedisReplyView> replies;
  std::string failure = Connect();
  if (failure.empty()) failure = Exchange(context_, round, replies);
  const Clock::time_point ended_at = Clock::now();
  for (const OpOutcome& outcome : JudgeRound(round, spec_, replies, sent_at, failure, ended_at)) done(outcome);
  if (!failure.empty()) {
    Disconnect();  // a context that failed is not used again
    if (failure == "connect_failed") std::this_thread::sleep_for(target_.reconnect_pause);
  }
}

RedisPreloadResult PreloadRedis(const RedisTarget& target, uint64_t key_space, size_t value_size, size_t batch,
                                int replicas) {
  RedisPreloadResult result;
  const Clock::time_point started = Clock::now();
  redisContext* context = redisConnectWithTimeout(target.host.c_str(), target.port, ToTimeval(target.connect_timeout));
  if (context == nullptr || context->err != 0 || redisSetTimeout(context, ToTimeval(target.reply_timeout)) != REDIS_OK) {
    result.error = "cannot connect to " + target.host + ":" + std::to_string(target.port) +
                   (context != nullptr ? std::string(": ") + context->errstr : "");
    if (context != nullptr) redisFree(context);
    return result;
  }
  PeerKeyMaker values("preload", 0, 0, key_space, value_size, key_space);
  WriteRoundSpec spec;
  spec.replicas = 0;
  uint64_t next = 0;
  while (next < key_space && result.error.empty()) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (; next < key_space && pairs.size() < std::max<size_t>(1, batch); ++next) {
      pairs.emplace_back(KeySpaceKey(next), values.NextValue());
    }
    RedisRound round = PlanWriteRound(pairs, spec);
    if (replicas > 0 && next == key_space) round.commands.push_back({"WAIT", std::to_string(replicas), "0"});
    std::vector<RedisReplyView> replies;
    const std::string failure = Exchange(context, round, replies);
    if (!failure.empty()) result.error = "the connection failed (" + failure + ") after " + std::to_string(result.written) + " keys";
    for (size_t i = 0; i < replies.size() && result.error.empty(); ++i) {
      const bool is_wait = round.commands[i][0] == "WAIT";
      const bool ok = is_wait ? replies[i].type == RedisReplyView::Type::kInteger && replies[i].integer >= replicas
                              : replies[i].type == RedisReplyView::Type::kStatus && replies[i].text == "OK";
      if (!ok) result.error = (is_wait ? "WAIT" : "SET " + round.commands[i][1]) + " was answered: " + replies[i].text;
      else if (!is_wait) ++result.written;
    }
  }
  redisFree(context);
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace ts::bench::peers
