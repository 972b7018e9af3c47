// PairStore: the tuple space's pairs, key text -> value text, in key order.
//
// A B-tree (absl::btree_set) of StoredPair, each ONE heap block holding both
// texts: [key size][value size][key][value]. A B-tree slot is then 8 bytes;
// a node holding 1,000,000 pairs of 16-byte texts measured 65 bytes per pair,
// against 135 with a btree_map of two std::strings (two 32-byte string
// objects in the slot, and two heap blocks once a text outgrows the 15-byte
// inline buffer).
// A full scan still walks contiguous nodes; reading a pair is one pointer.
// The block is immutable once packed and counted (a 4-byte atomic count at
// its head): copying a StoredPair shares it, set_value packs a new one. So
// Freeze() is a consistent copy of the whole store at the cost of a pointer
// per pair, which another thread may read while this one goes on changing
// the store (a snapshot written off the node's poll loop, node_log.h).
//
// The map-like subset the space, persistence and tests use: find and
// lower_bound by any text, insert_or_assign, erase, at, count, iteration in
// key order (`for (const auto& [key, value] : store)`, both string_views),
// and equality. A value can be replaced in place: it is not part of the order.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <absl/container/btree_set.h>

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

  // Mutable so that set_value works on the B-tree's const elements.
  mutable char* bytes_;
};

// Orders pairs by key text; finds by any text (transparent).
struct StoredPairOrder {
  using is_transparent = void;
  bool operator()(const StoredPair& a, const StoredPair& b) const { return a.key() < b.key(); }
  bool operator()(const StoredPair& a, std::string_view b) const { return a.key() < b; }
  bool operator()(std::string_view a, const StoredPair& b) const { return a < b.key(); }
};

class PairStore {
 public:
  using Tree = absl::btree_set<StoredPair, StoredPairOrder>;
  using const_iterator = Tree::const_iterator;
  using iterator = Tree::const_iterator;  // elements are const; values change through set_value

  PairStore() = default;
  PairStore(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    for (const auto& [key, value] : pairs) insert_or_assign(key, value);
  }

  const_iterator begin() const { return tree_.begin(); }
  const_iterator end() const { return tree_.end(); }
  size_t size() const { return tree_.size(); }
  // The text of every key and value held, in bytes (status and metrics).
  size_t bytes() const { return bytes_; }
  bool empty() const { return tree_.empty(); }
  void clear() {
    tree_.clear();
    bytes_ = 0;
  }
  void swap(PairStore& other) {
    tree_.swap(other.tree_);
    std::swap(bytes_, other.bytes_);
  }

  const_iterator find(std::string_view key) const { return tree_.find(key); }
  const_iterator lower_bound(std::string_view key) const { return tree_.lower_bound(key); }
  const_iterator upper_bound(std::string_view key) const { return tree_.upper_bound(key); }
  size_t count(std::string_view key) const { return tree_.count(key); }
  // The value of `key`; throws std::out_of_range when absent (tests).
  std::string_view at(std::string_view key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("no pair with key " + std::string(key));
    return it->value();
  }

  void insert_or_assign(std::string_view key, std::string_view value) {
    auto it = tree_.lower_bound(key);
    if (it != tree_.end() && it->key() == key) {
      set_value(it, value);
    } else {
      insert_new(it, key, value);
    }
  }
  // Inserts a key known absent, at `hint` (find's answer for it).
  void insert_new(const_iterator hint, std::string_view key, std::string_view value) {
    tree_.insert(hint, StoredPair(key, value));
    bytes_ += key.size() + value.size();
  }
  // Replaces the value of the pair at `it` (an element of this store).
  void set_value(const_iterator it, std::string_view value) {
    bytes_ = bytes_ - it->value().size() + value.size();
    it->set_value(value);
  }
  size_t erase(std::string_view key) {
    auto it = tree_.find(key);
    if (it == tree_.end()) return 0;
    bytes_ -= it->key().size() + it->value().size();
    tree_.erase(it);
    return 1;
  }

  // Every pair as it is now, in key order, sharing the blocks (see above):
  // a pointer copy per pair, readable on another thread while this store
  // changes.
  std::vector<StoredPair> Freeze() const { return std::vector<StoredPair>(tree_.begin(), tree_.end()); }

  friend bool operator==(const PairStore& a, const PairStore& b) { return a.tree_ == b.tree_; }

 private:
  Tree tree_;
  size_t bytes_ = 0;
};

}  // namespace ts

template <>
struct std::tuple_size<ts::StoredPair> : std::integral_constant<size_t, 2> {};
template <size_t I>
struct std::tuple_element<I, ts::StoredPair> {
  using type = std::string_view;
};
