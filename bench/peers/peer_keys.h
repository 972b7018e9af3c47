// The keys and values the peer drivers send, made as tsbench makes them
// (bench/op_mix.h): a write's key was never used before (the run's nonce, the
// worker and a counter), so every write adds a key; a read's key is a key of
// the key space, KeySpaceKey(i) for a uniform i, which --preload wrote first.
// Values are value_size random alphanumerics. Deterministic from the seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace ts::bench::peers {

// "w<nonce>-<client>.<lane>-<counter>".
std::string PeerWriteKey(const std::string& nonce, uint32_t client, uint32_t lane, uint64_t counter);
// The common prefix of every key PeerWriteKey makes for `nonce` ("w<nonce>-").
std::string PeerWritePrefix(const std::string& nonce);
// Six random alphanumerics, to tell runs apart.
std::string RandomNonce();

class PeerKeyMaker {
 public:
  PeerKeyMaker(std::string nonce, uint32_t client, uint32_t lane, uint64_t key_space, size_t value_size,
               uint64_t seed);
  std::string NextWriteKey();
  std::string NextReadKey();
  std::string NextValue();

 private:
  std::string nonce_;
  uint32_t client_;
  uint32_t lane_;
  uint64_t key_space_;
  size_t value_size_;
  uint64_t counter_ = 0;
  std::mt19937_64 random_;
};

}  // namespace ts::bench::peers
