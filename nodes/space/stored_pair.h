// StoredPair: one stored pair as ONE heap block holding both texts,
// [share count][key size][value size][key][value], so that a store's slot
// for it is one pointer (8 bytes).
//
// The block is immutable once packed and counted (a 4-byte atomic count at
// its head): copying a StoredPair shares it, set_value packs a new one. So a
// copy taken on one thread stays valid and unchanged while another thread
// replaces the value in its own copy (pair_store.h: frozen leaves).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>
#include <tuple>
#include <utility>

namespace ts {

class StoredPair {
 public:
  StoredPair(std::string_view key, std::string_view value) : bytes_(Pack(key, value)) {}
  StoredPair(const StoredPair& other) : bytes_(Share(other.bytes_)) {}
  StoredPair& operator=(const StoredPair& other) {
    if (this != &other) {
      char* shared = Share(other.bytes_);
      Release(bytes_);
      bytes_ = shared;
    }
    return *this;
  }
  StoredPair(StoredPair&& other) noexcept : bytes_(other.bytes_) { other.bytes_ = nullptr; }
  StoredPair& operator=(StoredPair&& other) noexcept {
    if (this != &other) {
      Release(bytes_);
      bytes_ = other.bytes_;
      other.bytes_ = nullptr;
    }
    return *this;
  }
  ~StoredPair() { Release(bytes_); }

  std::string_view key() const { return {bytes_ + kHeaderBytes, Size(0)}; }
  std::string_view value() const { return {bytes_ + kHeaderBytes + Size(0), Size(1)}; }
  // The key (the pair's place in the order) stays; only the value changes:
  // a new block, so that a frozen copy keeps the old value.
  void set_value(std::string_view value) const {
    char* packed = Pack(key(), value);
    Release(bytes_);
    bytes_ = packed;
  }

  // For `const auto& [key, value] = pair`.
  template <size_t I>
  std::string_view get() const {
    static_assert(I < 2);
    if constexpr (I == 0) return key();
    else return value();
  }

  friend bool operator==(const StoredPair& a, const StoredPair& b) {
    return a.key() == b.key() && a.value() == b.value();
  }

 private:
  // [share count][key size][value size][key][value]
  static constexpr size_t kCountBytes = sizeof(uint32_t);
  static constexpr size_t kHeaderBytes = kCountBytes + 2 * sizeof(uint32_t);
  using Count = std::atomic_ref<uint32_t>;

  static char* Pack(std::string_view key, std::string_view value) {
    // Texts are bounded far below 4 GiB by the space's limits.
    const uint32_t sizes[2] = {static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())};
    // operator new's alignment suits the count at offset 0.
    char* bytes = static_cast<char*>(::operator new(kHeaderBytes + key.size() + value.size()));
    new (bytes) uint32_t(1);
    std::memcpy(bytes + kCountBytes, sizes, sizeof sizes);
    std::memcpy(bytes + kHeaderBytes, key.data(), key.size());
    std::memcpy(bytes + kHeaderBytes + key.size(), value.data(), value.size());
    return bytes;
  }
  static uint32_t& CountOf(char* bytes) { return *std::launder(reinterpret_cast<uint32_t*>(bytes)); }
  static char* Share(char* bytes) {
    if (bytes != nullptr) Count(CountOf(bytes)).fetch_add(1, std::memory_order_relaxed);
    return bytes;
  }
  static void Release(char* bytes) {
    if (bytes != nullptr && Count(CountOf(bytes)).fetch_sub(1, std::memory_order_acq_rel) == 1) {
      ::operator delete(bytes);
    }
  }
  size_t Size(int which) const {
    uint32_t size = 0;
    std::memcpy(&size, bytes_ + kCountBytes + which * sizeof(uint32_t), sizeof size);
    return size;
  }

  // Mutable so that set_value works on a store's const elements.
  mutable char* bytes_;
};

}  // namespace ts

template <>
struct std::tuple_size<ts::StoredPair> : std::integral_constant<size_t, 2> {};
template <size_t I>
struct std::tuple_element<I, ts::StoredPair> {
  using type = std::string_view;
};
