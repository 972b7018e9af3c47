// PairStore: the tuple space's pairs, key text -> value text, in key order.
//
// A B-tree (absl::btree_set) of StoredPair, each ONE heap block holding both
// texts: [key size][value size][key][value]. A B-tree slot is then 8 bytes;
// a node holding 1,000,000 pairs of 16-byte texts measured 65 bytes per pair,
// against 135 with a btree_map of two std::strings (two 32-byte string
// objects in the slot, and two heap blocks once a text outgrows the 15-byte
// inline buffer).
// A full scan still walks contiguous nodes; reading a pair is one pointer.
//
// The map-like subset the space, persistence and tests use: find and
// lower_bound by any text, insert_or_assign, erase, at, count, iteration in
// key order (`for (const auto& [key, value] : store)`, both string_views),
// and equality. A value can be replaced in place: it is not part of the order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <absl/container/btree_set.h>

namespace ts {

class StoredPair {
 public:
  StoredPair(std::string_view key, std::string_view value) : bytes_(Pack(key, value)) {}
  StoredPair(const StoredPair& other) : bytes_(Pack(other.key(), other.value())) {}
  StoredPair& operator=(const StoredPair& other) {
    if (this != &other) bytes_ = Pack(other.key(), other.value());
    return *this;
  }
  StoredPair(StoredPair&&) noexcept = default;
  StoredPair& operator=(StoredPair&&) noexcept = default;

  std::string_view key() const { return {bytes_.get() + kHeaderBytes, Size(0)}; }
  std::string_view value() const { return {bytes_.get() + kHeaderBytes + Size(0), Size(1)}; }
  // The key (the pair's place in the order) stays; only the value changes.
  void set_value(std::string_view value) const { bytes_ = Pack(key(), value); }

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
  static constexpr size_t kHeaderBytes = 2 * sizeof(uint32_t);

  static std::unique_ptr<char[]> Pack(std::string_view key, std::string_view value) {
    // Texts are bounded far below 4 GiB by the space's limits.
    const uint32_t sizes[2] = {static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())};
    std::unique_ptr<char[]> bytes(new char[kHeaderBytes + key.size() + value.size()]);
    std::memcpy(bytes.get(), sizes, kHeaderBytes);
    std::memcpy(bytes.get() + kHeaderBytes, key.data(), key.size());
    std::memcpy(bytes.get() + kHeaderBytes + key.size(), value.data(), value.size());
    return bytes;
  }
  size_t Size(int which) const {
    uint32_t size = 0;
    std::memcpy(&size, bytes_.get() + which * sizeof(uint32_t), sizeof size);
    return size;
  }

  // Mutable so that set_value works on the B-tree's const elements.
  mutable std::unique_ptr<char[]> bytes_;
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
