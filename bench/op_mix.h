// What tsbench asks: the operation mix and the requests it turns into.
//
// OpMix is parsed from "put-new=1,post=0.5,get=3,get-regex=1,delete=1,get-scan=0":
// relative weights of six kinds of request (unknown names, negative or
// non-numeric weights, repeats, and an all-zero mix are errors naming the
// part). RequestMaker turns a drawn kind into a Request, deterministically
// from its seed:
//  - put-new:   PUT of one pair whose key was never used (a per-run nonce,
//               the client's number and a counter), so it is never "key present";
//  - post:      POST of one pair on a key of the key space (update);
//  - get:       GET of one exact key of the key space;
//  - get-regex: GET whose key pattern is a key of the key space with its last
//               digit replaced by \d (a literal prefix, up to 10 matches);
//  - delete:    DELETE of this client's oldest put-new key, else of a key of
//               the key space (so a put-new + delete mix keeps the space steady);
//  - get-scan:  GET whose key pattern is get-regex's with its first letter
//               replaced by "." as well: no literal prefix, so the space
//               matches it against every key (a full-regex GET's cost).
// Key-space keys are KeySpaceKey(i) = "k" + i in 15 digits: 16 bytes, as the
// memory figures use. Values are value_size random alphanumerics, cut into
// elements of at most kValueElementBytes (ValueElements), since the space
// stores an element of at most 256 bytes and a tuple of at most 64 of them
// (nodes/space/space.h SpaceLimits): kMaxValueBytes = 16 KiB is the largest.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/tuple.h"
#include "schema/messages.h"

namespace ts::bench {

enum class OpKind { kPutNew, kPost, kGet, kGetRegex, kDelete, kGetScan };
inline constexpr int kOpKindCount = 6;

// SpaceLimits' defaults (max_element_bytes, max_elements_per_tuple); the bench
// does not link the space, tests/bench checks that they agree.
inline constexpr size_t kValueElementBytes = 256;
inline constexpr size_t kMaxValueElements = 64;
inline constexpr size_t kMaxValueBytes = kValueElementBytes * kMaxValueElements;
std::string_view OpKindName(OpKind kind);  // "put-new", ...

class OpMix {
 public:
  static Result<OpMix> Parse(std::string_view text);
  double weight(OpKind kind) const { return weights_[static_cast<size_t>(kind)]; }
  // The kind for a uniform draw u in [0, 1).
  OpKind Pick(double u) const;
  // True when some request of the mix reads or updates the key space (it
  // needs the key space preloaded to mean anything).
  bool UsesKeySpace() const;
  std::string ToString() const;  // canonical "put-new=1,post=0,..."

 private:
  std::array<double, kOpKindCount> weights_{};
  double total_ = 0;
};

std::string KeySpaceKey(uint64_t index);

// `bytes` as a value tuple: consecutive elements of kValueElementBytes, the
// last one shorter (one element for 1..256 bytes; an empty text is one empty element).
Tuple ValueElements(std::string_view bytes);

struct RequestMakerOptions {
  uint64_t key_space = 100'000;
  size_t value_size = 16;
  std::string run_nonce;   // alphanumeric, distinguishes put-new keys of different runs
  uint32_t client_index = 0;
  uint64_t seed = 1;
};

class RequestMaker {
 public:
  RequestMaker(OpMix mix, RequestMakerOptions options);

  // Draws a kind from the mix and makes its request.
  Request Next(OpKind* kind_out = nullptr);
  Request Make(OpKind kind);

 private:
  Tuple RandomValue();
  uint64_t RandomKeyIndex();

  OpMix mix_;
  RequestMakerOptions options_;
  std::mt19937_64 random_;
  std::string value_pool_;         // random alphanumerics; values are slices of it
  uint64_t put_new_counter_ = 0;
  std::deque<std::string> put_new_keys_;  // oldest first, for delete
};

}  // namespace ts::bench
