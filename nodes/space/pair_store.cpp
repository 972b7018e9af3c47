#include "nodes/space/pair_store.h"

#include <algorithm>

namespace ts {

using pair_store_detail::Leaf;
using pair_store_detail::LeafRef;

void PairStore::clear() {
  index_.clear();
  size_ = 0;
  bytes_ = 0;
}

void PairStore::swap(PairStore& other) {
  index_.swap(other.index_);
  std::swap(size_, other.size_);
  std::swap(bytes_, other.bytes_);
  std::swap(copy_stats_, other.copy_stats_);
}

PairStore::const_iterator PairStore::find(std::string_view key) const {
  if (index_.empty()) return end();
  auto leaf = LeafFor(*this, key);
  const std::vector<StoredPair>& pairs = leaf->second->pairs;
  auto pos = std::lower_bound(pairs.begin(), pairs.end(), key, StoredPairOrder{});
  if (pos == pairs.end() || pos->key() != key) return end();
  return {leaf, static_cast<size_t>(pos - pairs.begin())};
}

PairStore::const_iterator PairStore::lower_bound(std::string_view key) const {
  if (index_.empty()) return end();
  auto leaf = LeafFor(*this, key);
  const std::vector<StoredPair>& pairs = leaf->second->pairs;
  auto pos = std::lower_bound(pairs.begin(), pairs.end(), key, StoredPairOrder{});
  // Past this leaf's last key: the next leaf's keys are all above `key`.
  if (pos == pairs.end()) return {std::next(leaf), 0};
  return {leaf, static_cast<size_t>(pos - pairs.begin())};
}

PairStore::const_iterator PairStore::upper_bound(std::string_view key) const {
  if (index_.empty()) return end();
  auto leaf = LeafFor(*this, key);
  const std::vector<StoredPair>& pairs = leaf->second->pairs;
  auto pos = std::upper_bound(pairs.begin(), pairs.end(), key, StoredPairOrder{});
  if (pos == pairs.end()) return {std::next(leaf), 0};
  return {leaf, static_cast<size_t>(pos - pairs.begin())};
}

Leaf& PairStore::Writable(Index::iterator it) {
  if (!it->second.unique()) {
    auto* copy = new Leaf;
    copy->pairs = it->second->pairs;  // shares every block: a count each
    ++copy_stats_.leaves_copied;
    copy_stats_.pairs_copied += copy->pairs.size();
    it->second = LeafRef(copy);
  }
  return *it->second.mutable_leaf();
}

PairStore::Index::iterator PairStore::Split(Index::iterator it, size_t keep) {
  std::vector<StoredPair>& pairs = Writable(it).pairs;
  auto* upper = new Leaf;
  upper->pairs.assign(std::make_move_iterator(pairs.begin() + static_cast<ptrdiff_t>(keep)),
                      std::make_move_iterator(pairs.end()));
  pairs.erase(pairs.begin() + static_cast<ptrdiff_t>(keep), pairs.end());
  std::string separator(upper->pairs.front().key());
  return index_.emplace_hint(std::next(it), std::move(separator), LeafRef(upper));
}

void PairStore::insert_or_assign(std::string_view key, std::string_view value) {
  if (index_.empty()) {
    auto* first = new Leaf;
    first->pairs.emplace_back(key, value);
    index_.emplace(std::string(), LeafRef(first));  // the first separator is always "": below every key
    ++size_;
    bytes_ += key.size() + value.size();
    return;
  }
  Index::iterator leaf = LeafFor(*this, key);
  {
    const std::vector<StoredPair>& pairs = leaf->second->pairs;
    auto pos = std::lower_bound(pairs.begin(), pairs.end(), key, StoredPairOrder{});
    if (pos != pairs.end() && pos->key() == key) {
      const size_t at = static_cast<size_t>(pos - pairs.begin());
      bytes_ = bytes_ - pos->value().size() + value.size();
      Writable(leaf).pairs[at].set_value(value);
      return;
    }
  }
  size_t at = static_cast<size_t>(
      std::lower_bound(leaf->second->pairs.begin(), leaf->second->pairs.end(), key, StoredPairOrder{}) -
      leaf->second->pairs.begin());
  if (leaf->second->pairs.size() == kMaxLeafPairs) {
    if (std::next(leaf) == index_.end() && at == kMaxLeafPairs) {
      // Appending in key order (a load, a preload): a new last leaf, so the
      // full ones stay full instead of half.
      auto* last = new Leaf;
      last->pairs.emplace_back(key, value);
      index_.emplace_hint(index_.end(), std::string(key), LeafRef(last));
      ++size_;
      bytes_ += key.size() + value.size();
      return;
    }
    const size_t keep = kMaxLeafPairs / 2;
    Index::iterator upper = Split(leaf, keep);  // invalidates `leaf` (a B-tree insert)
    if (at > keep) {
      leaf = upper;
      at -= keep;
    } else {
      leaf = std::prev(upper);
    }
  }
  std::vector<StoredPair>& pairs = Writable(leaf).pairs;
  pairs.emplace(pairs.begin() + static_cast<ptrdiff_t>(at), key, value);
  ++size_;
  bytes_ += key.size() + value.size();
}

void PairStore::insert_new(const_iterator /*hint*/, std::string_view key, std::string_view value) {
  insert_or_assign(key, value);
}

void PairStore::set_value(const_iterator it, std::string_view value) {
  bytes_ = bytes_ - it->value().size() + value.size();
  if (it.leaf()->second.unique()) {
    it->set_value(value);  // the leaf is this store's alone: in place
    return;
  }
  Index::iterator leaf = index_.find(it.leaf()->first);
  Writable(leaf).pairs[it.pos()].set_value(value);
}

size_t PairStore::erase(std::string_view key) {
  const_iterator found = find(key);
  if (found == end()) return 0;
  Index::iterator leaf = index_.find(found.leaf()->first);
  std::vector<StoredPair>& pairs = Writable(leaf).pairs;
  auto pos = pairs.begin() + static_cast<ptrdiff_t>(found.pos());
  bytes_ -= pos->key().size() + pos->value().size();
  pairs.erase(pos);
  --size_;
  Rebalance(leaf);
  return 1;
}

void PairStore::Rebalance(Index::iterator it) {
  if (it->second->pairs.empty()) {
    DropLeaf(it);
    return;
  }
  if (it->second->pairs.size() >= kMinLeafPairs) return;
  auto next = std::next(it);
  if (next != index_.end() && it->second->pairs.size() + next->second->pairs.size() <= kMaxLeafPairs) {
    std::vector<StoredPair>& pairs = Writable(it).pairs;
    const std::vector<StoredPair>& moved = next->second->pairs;
    pairs.insert(pairs.end(), moved.begin(), moved.end());  // shares: the next leaf may be frozen
    index_.erase(next);
    return;
  }
  if (it == index_.begin()) return;
  auto before = std::prev(it);
  if (before->second->pairs.size() + it->second->pairs.size() <= kMaxLeafPairs) {
    std::vector<StoredPair>& pairs = Writable(before).pairs;
    const std::vector<StoredPair>& moved = it->second->pairs;
    pairs.insert(pairs.end(), moved.begin(), moved.end());
    index_.erase(it);
  }
}

void PairStore::DropLeaf(Index::iterator it) {
  const bool first = it == index_.begin();
  it = index_.erase(it);
  if (first && it != index_.end()) {
    // The new first leaf takes the separator "", so that every key has a
    // leaf at or below it and a split never makes a separator below it.
    LeafRef leaf = std::move(it->second);
    index_.erase(it);
    index_.emplace(std::string(), std::move(leaf));
  }
}

FrozenPairs PairStore::Freeze() const {
  FrozenPairs frozen;
  frozen.leaves_.reserve(index_.size());
  for (const auto& [separator, leaf] : index_) frozen.leaves_.push_back(leaf);
  frozen.size_ = size_;
  return frozen;
}

bool operator==(const PairStore& a, const PairStore& b) {
  return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace ts
