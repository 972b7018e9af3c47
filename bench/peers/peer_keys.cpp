#include "bench/peers/peer_keys.h"

#include <algorithm>
#include <string_view>

#include "bench/op_mix.h"

namespace ts::bench::peers {
namespace {

constexpr std::string_view kAlphanumerics = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

std::string PeerWritePrefix(const std::string& nonce) { return "w" + nonce + "-"; }

std::string PeerWriteKey(const std::string& nonce, uint32_t client, uint32_t lane, uint64_t counter) {
  return PeerWritePrefix(nonce) + std::to_string(client) + "." + std::to_string(lane) + "-" + std::to_string(counter);
}

std::string RandomNonce() {
  std::random_device device;
  std::string nonce;
  for (int i = 0; i < 6; ++i) nonce += kAlphanumerics[device() % kAlphanumerics.size()];
  return nonce;
}

PeerKeyMaker::PeerKeyMaker(std::string nonce, uint32_t client, uint32_t lane, uint64_t key_space, size_t value_size,
                           uint64_t seed)
    : nonce_(std::move(nonce)),
      client_(client),
      lane_(lane),
      key_space_(std::max<uint64_t>(1, key_space)),
      value_size_(std::max<size_t>(1, value_size)),
      random_(seed * 1'000'003ULL + client * 1'009ULL + lane) {}

std::string PeerKeyMaker::NextWriteKey() { return PeerWriteKey(nonce_, client_, lane_, counter_++); }

std::string PeerKeyMaker::NextReadKey() { return KeySpaceKey(random_() % key_space_); }

std::string PeerKeyMaker::NextValue() {
  std::string value(value_size_, 'a');
  for (char& c : value) c = kAlphanumerics[random_() % kAlphanumerics.size()];
  return value;
}

}  // namespace ts::bench::peers
