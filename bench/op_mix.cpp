#include "bench/op_mix.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace ts::bench {
namespace {

constexpr std::array<std::string_view, kOpKindCount> kNames = {"put-new", "post", "get", "get-regex", "delete",
                                                                     "get-scan"};
// Values are cut from a pool this large, so making one costs no random draws per byte.
constexpr size_t kValuePoolBytes = 64 * 1024;
// put-new keys remembered for delete; older ones are forgotten (then a delete
// falls back to the key space).
constexpr size_t kMaxRememberedPutNewKeys = 100'000;
constexpr std::string_view kAlphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

Error MixError(std::string_view text, const std::string& why) {
  return Error{ErrorKind::kMalformedRequest, "--mix \"" + std::string(text) + "\": " + why};
}

}  // namespace

std::string_view OpKindName(OpKind kind) { return kNames[static_cast<size_t>(kind)]; }

Result<OpMix> OpMix::Parse(std::string_view text) {
  OpMix mix;
  std::array<bool, kOpKindCount> seen{};
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      return MixError(text, "\"" + std::string(part) + "\" is not NAME=WEIGHT");
    }
    const std::string_view name = part.substr(0, equals);
    const std::string_view number = part.substr(equals + 1);
    size_t index = kOpKindCount;
    for (size_t i = 0; i < kNames.size(); ++i) {
      if (kNames[i] == name) index = i;
    }
    if (index == kOpKindCount) {
      return MixError(text, "unknown operation \"" + std::string(name) +
                                "\" (known: put-new, post, get, get-regex, delete, get-scan)");
    }
    if (seen[index]) return MixError(text, "\"" + std::string(name) + "\" is given twice");
    seen[index] = true;
    double weight = 0;
    auto [rest, error] = std::from_chars(number.data(), number.data() + number.size(), weight);
    if (error != std::errc() || rest != number.data() + number.size() || !std::isfinite(weight) || weight < 0) {
      return MixError(text, "the weight of \"" + std::string(name) + "\" is \"" + std::string(number) +
                                "\", not a number >= 0");
    }
    mix.weights_[index] = weight;
    mix.total_ += weight;
    start = end + 1;
  }
  if (!(mix.total_ > 0)) return MixError(text, "every weight is 0");
  return mix;
}

OpKind OpMix::Pick(double u) const {
  double threshold = u * total_;
  for (size_t i = 0; i < weights_.size(); ++i) {
    if (threshold < weights_[i]) return static_cast<OpKind>(i);
    threshold -= weights_[i];
  }
  for (size_t i = weights_.size(); i-- > 0;) {  // rounding at u -> 1: the last kind with weight
    if (weights_[i] > 0) return static_cast<OpKind>(i);
  }
  return OpKind::kGet;
}

bool OpMix::UsesKeySpace() const {
  return weight(OpKind::kPost) > 0 || weight(OpKind::kGet) > 0 || weight(OpKind::kGetRegex) > 0 ||
         weight(OpKind::kGetScan) > 0;
}

std::string OpMix::ToString() const {
  std::string text;
  for (size_t i = 0; i < kNames.size(); ++i) {
    char number[32];
    std::snprintf(number, sizeof number, "%g", weights_[i]);
    text += (i ? "," : "") + std::string(kNames[i]) + "=" + number;
  }
  return text;
}

std::string KeySpaceKey(uint64_t index) {
  char text[32];
  std::snprintf(text, sizeof text, "k%015llu", static_cast<unsigned long long>(index % 1'000'000'000'000'000ULL));
  return text;
}

Tuple ValueElements(std::string_view bytes) {
  Tuple elements;
  if (bytes.empty()) return {std::string()};
  for (size_t at = 0; at < bytes.size(); at += kValueElementBytes) {
    elements.emplace_back(bytes.substr(at, kValueElementBytes));
  }
  return elements;
}

RequestMaker::RequestMaker(OpMix mix, RequestMakerOptions options)
    : mix_(mix), options_(std::move(options)), random_(options_.seed) {
  if (options_.key_space == 0) options_.key_space = 1;
  if (options_.value_size == 0) options_.value_size = 1;
  value_pool_.resize(kValuePoolBytes + options_.value_size);
  std::uniform_int_distribution<size_t> letter(0, kAlphanumerics.size() - 1);
  for (char& c : value_pool_) c = kAlphanumerics[letter(random_)];
}

Tuple RequestMaker::RandomValue() {
  std::uniform_int_distribution<size_t> offset(0, kValuePoolBytes - 1);
  return ValueElements(std::string_view(value_pool_).substr(offset(random_), options_.value_size));
}

uint64_t RequestMaker::RandomKeyIndex() {
  return std::uniform_int_distribution<uint64_t>(0, options_.key_space - 1)(random_);
}

Request RequestMaker::Next(OpKind* kind_out) {
  const OpKind kind = mix_.Pick(std::uniform_real_distribution<double>(0.0, 1.0)(random_));
  if (kind_out) *kind_out = kind;
  return Make(kind);
}

Request RequestMaker::Make(OpKind kind) {
  switch (kind) {
    case OpKind::kPutNew: {
      std::string key = "n" + options_.run_nonce + "c" + std::to_string(options_.client_index) + "x" +
                        std::to_string(++put_new_counter_);
      if (mix_.weight(OpKind::kDelete) > 0) {
        put_new_keys_.push_back(key);
        if (put_new_keys_.size() > kMaxRememberedPutNewKeys) put_new_keys_.pop_front();
      }
      return MakePut({Pair{{std::move(key)}, RandomValue()}});
    }
    case OpKind::kPost:
      return MakePost({Pair{{KeySpaceKey(RandomKeyIndex())}, RandomValue()}});
    case OpKind::kGet:
      return MakeGet(KeySpaceKey(RandomKeyIndex()), ".*");
    case OpKind::kGetRegex: {
      std::string key = KeySpaceKey(RandomKeyIndex());
      key.back() = '\\';
      return MakeGet(key + "d", ".*");
    }
    case OpKind::kGetScan: {
      std::string key = KeySpaceKey(RandomKeyIndex());
      key.front() = '.';
      key.back() = '\\';
      return MakeGet(key + "d", ".*");
    }
    case OpKind::kDelete: {
      if (!put_new_keys_.empty()) {
        std::string key = std::move(put_new_keys_.front());
        put_new_keys_.pop_front();
        return MakeDelete(std::move(key), ".*");
      }
      return MakeDelete(KeySpaceKey(RandomKeyIndex()), ".*");
    }
  }
  return MakeGet(KeySpaceKey(0), ".*");
}

}  // namespace ts::bench
