// PairStore: the tuple space's pairs, key text -> value text, in key order,
// copy-on-write by leaf so that freezing the whole store costs a count per
// leaf, not per pair.
//
// The pairs sit in leaves of at most kMaxLeafPairs StoredPairs (one pointer
// each, one heap block per pair: stored_pair.h), sorted; an index (a B-tree)
// maps each leaf's separator key (at most its first key, above every key of
// the leaf before; the first leaf's is "") to the leaf. A leaf is counted: Freeze() takes one
// reference per leaf and touches no pair (10,000,000 pairs: ~30,000 leaves),
// and the first change to a leaf still shared copies that one leaf (its
// pairs' blocks shared, a count each). A FrozenPairs is the whole store as
// it was, which another thread may read while this one goes on changing the
// store (the snapshot written off the poll loop, node_log.h; a state
// transfer sent in slices, node_core_step.cpp). A copy of a store shares
// its leaves the same way.
//
// The map-like subset the space, persistence and tests use: find and
// lower_bound by any text, insert_or_assign, erase, at, count, forward
// iteration in key order (`for (const auto& [key, value] : store)`, both
// string_views), and equality. Iterators are invalidated by any change
// (as absl::btree's).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <absl/container/btree_map.h>

#include "nodes/space/stored_pair.h"

namespace ts {

// Orders pairs by key text; finds by any text (transparent).
struct StoredPairOrder {
  using is_transparent = void;
  bool operator()(const StoredPair& a, const StoredPair& b) const { return a.key() < b.key(); }
  bool operator()(const StoredPair& a, std::string_view b) const { return a.key() < b; }
  bool operator()(std::string_view a, const StoredPair& b) const { return a < b.key(); }
};

namespace pair_store_detail {

// A sorted run of pairs, shared by count between stores and frozen copies.
struct Leaf {
  std::atomic<uint32_t> refs{1};
  std::vector<StoredPair> pairs;
};

class LeafRef {
 public:
  LeafRef() = default;
  explicit LeafRef(Leaf* leaf) : leaf_(leaf) {}  // takes the leaf's first reference
  LeafRef(const LeafRef& other) : leaf_(other.leaf_) {
    if (leaf_ != nullptr) leaf_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  LeafRef(LeafRef&& other) noexcept : leaf_(std::exchange(other.leaf_, nullptr)) {}
  LeafRef& operator=(LeafRef other) noexcept {
    std::swap(leaf_, other.leaf_);
    return *this;
  }
  ~LeafRef() {
    if (leaf_ != nullptr && leaf_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete leaf_;
  }

  const Leaf& operator*() const { return *leaf_; }
  const Leaf* operator->() const { return leaf_; }
  // The only holder may change the leaf. Acquire: another thread's reads of
  // it happened before its release of the reference we see gone.
  bool unique() const { return leaf_->refs.load(std::memory_order_acquire) == 1; }
  Leaf* mutable_leaf() const { return leaf_; }  // only when unique()

 private:
  Leaf* leaf_ = nullptr;
};

// Walks a sequence of leaves (all non-empty) pair by pair.
template <typename LeafIterator>
class PairIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = StoredPair;
  using difference_type = std::ptrdiff_t;
  using pointer = const StoredPair*;
  using reference = const StoredPair&;

  PairIterator() = default;
  PairIterator(LeafIterator leaf, size_t pos) : leaf_(leaf), pos_(pos) {}

  reference operator*() const { return Pairs()[pos_]; }
  pointer operator->() const { return &Pairs()[pos_]; }
  PairIterator& operator++() {
    if (++pos_ == Pairs().size()) {
      ++leaf_;
      pos_ = 0;
    }
    return *this;
  }
  PairIterator operator++(int) {
    PairIterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const PairIterator& a, const PairIterator& b) {
    return a.leaf_ == b.leaf_ && a.pos_ == b.pos_;
  }

  LeafIterator leaf() const { return leaf_; }
  size_t pos() const { return pos_; }

 private:
  const std::vector<StoredPair>& Pairs() const {
    if constexpr (requires { leaf_->second; }) {
      return leaf_->second->pairs;
    } else {
      return (*leaf_)->pairs;
    }
  }

  LeafIterator leaf_{};
  size_t pos_ = 0;
};

}  // namespace pair_store_detail

// A PairStore as it was when frozen: read-only, safe to read on any thread
// while the store changes. Cheap to move; copying shares the leaves again.
class FrozenPairs {
 public:
  using const_iterator = pair_store_detail::PairIterator<std::vector<pair_store_detail::LeafRef>::const_iterator>;

  const_iterator begin() const { return {leaves_.begin(), 0}; }
  const_iterator end() const { return {leaves_.end(), 0}; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t leaf_count() const { return leaves_.size(); }

 private:
  friend class PairStore;
  std::vector<pair_store_detail::LeafRef> leaves_;
  size_t size_ = 0;
};

class PairStore {
 public:
  // Leaf size: a freeze takes size/~(0.7 x this) counts; the first write to
  // a shared leaf after a freeze copies at most this many pointers.
  static constexpr size_t kMaxLeafPairs = 512;
  // An erase leaving fewer pairs merges the leaf with a neighbour that fits.
  static constexpr size_t kMinLeafPairs = kMaxLeafPairs / 4;

  using Index = absl::btree_map<std::string, pair_store_detail::LeafRef, std::less<>>;
  using const_iterator = pair_store_detail::PairIterator<Index::const_iterator>;
  using iterator = const_iterator;  // pairs are const; values change through set_value

  // What copy-on-write cost since the store was made (tests, the node's log).
  struct CopyStats {
    uint64_t leaves_copied = 0;
    uint64_t pairs_copied = 0;  // StoredPair copies: a share count each
  };

  PairStore() = default;
  PairStore(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    for (const auto& [key, value] : pairs) insert_or_assign(key, value);
  }

  const_iterator begin() const { return {index_.begin(), 0}; }
  const_iterator end() const { return {index_.end(), 0}; }
  size_t size() const { return size_; }
  // The text of every key and value held, in bytes (status and metrics).
  size_t bytes() const { return bytes_; }
  bool empty() const { return size_ == 0; }
  size_t leaf_count() const { return index_.size(); }
  const CopyStats& copy_stats() const { return copy_stats_; }
  void clear();
  void swap(PairStore& other);

  const_iterator find(std::string_view key) const;
  const_iterator lower_bound(std::string_view key) const;
  const_iterator upper_bound(std::string_view key) const;
  size_t count(std::string_view key) const { return find(key) == end() ? 0 : 1; }
  // The value of `key`; throws std::out_of_range when absent (tests).
  std::string_view at(std::string_view key) const {
    auto it = find(key);
    if (it == end()) throw std::out_of_range("no pair with key " + std::string(key));
    return it->value();
  }

  void insert_or_assign(std::string_view key, std::string_view value);
  // Inserts a key known absent (`hint`: find's answer for it, unused: the
  // leaf may have to be copied or split first).
  void insert_new(const_iterator hint, std::string_view key, std::string_view value);
  // Replaces the value of the pair at `it` (an element of this store).
  void set_value(const_iterator it, std::string_view value);
  size_t erase(std::string_view key);

  // Every pair as it is now, in key order: a count per leaf, no pair touched.
  FrozenPairs Freeze() const;

  friend bool operator==(const PairStore& a, const PairStore& b);

 private:
  // The leaf that holds `key` or would: the last whose separator is at most
  // `key` (the first leaf's is "", so there is one). Non-empty only.
  template <typename Self>
  static auto LeafFor(Self& self, std::string_view key) {
    return std::prev(self.index_.upper_bound(key));
  }
  // The leaf at `it`, copied first if it is shared.
  pair_store_detail::Leaf& Writable(Index::iterator it);
  // Moves the upper part of a full leaf, from `keep` on, to a new leaf after it.
  Index::iterator Split(Index::iterator it, size_t keep);
  // After an erase: drops an empty leaf, merges a small one with a neighbour.
  void Rebalance(Index::iterator it);
  void DropLeaf(Index::iterator it);

  Index index_;
  size_t size_ = 0;
  size_t bytes_ = 0;
  CopyStats copy_stats_;
};

}  // namespace ts
