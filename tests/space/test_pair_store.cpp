// PairStore: one heap block per pair, ordered by key, in copy-on-write leaves;
// a freeze counts leaves, not pairs.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "nodes/space/pair_store.h"

namespace ts {
namespace {

TEST_CASE("pair store: keys in order, one value per key, values of any length replaced in place") {
  PairStore store;
  store.insert_or_assign("b", "2");
  store.insert_or_assign("a", "1");
  store.insert_or_assign("c", "");
  store.insert_or_assign("b", std::string(100, 'x'));  // longer than before
  REQUIRE(store.size() == 3);
  std::string order;
  for (const auto& [key, value] : store) order += std::string(key) + "=" + std::to_string(value.size()) + ";";
  CHECK(order == "a=1;b=100;c=0;");
  store.insert_or_assign("b", "y");  // shorter again
  CHECK(store.at("b") == "y");
  CHECK(store.count("c") == 1);
  CHECK(store.at("c").empty());
  CHECK_THROWS_AS(store.at("zz"), std::out_of_range);
  CHECK(store.lower_bound("bb")->key() == "c");
  CHECK(store.erase("a") == 1);
  CHECK(store.erase("a") == 0);
  CHECK(store == PairStore{{"b", "y"}, {"c", ""}});
  CHECK_FALSE(store == PairStore{{"b", "z"}, {"c", ""}});
}

TEST_CASE("pair store: a copy is deep, and agrees with std::map over random writes") {
  PairStore store;
  std::map<std::string, std::string> model;
  std::mt19937 random(7);
  for (int i = 0; i < 20'000; ++i) {
    const std::string key = "k" + std::to_string(random() % 2'000);
    if (random() % 4 == 0) {
      CHECK(store.erase(key) == model.erase(key));
    } else {
      const std::string value(random() % 40, static_cast<char>('a' + random() % 26));
      store.insert_or_assign(key, value);
      model[key] = value;
    }
  }
  REQUIRE(store.size() == model.size());
  auto expected = model.begin();
  for (const auto& [key, value] : store) {
    CHECK(key == expected->first);
    CHECK(value == expected->second);
    ++expected;
  }
  PairStore copy = store;
  REQUIRE(copy == store);
  copy.insert_or_assign(model.begin()->first, "changed");
  CHECK(store.at(model.begin()->first) == model.begin()->second);  // the original kept its value
}

std::string Key(int i) {
  std::string text = std::to_string(i);
  return "k" + std::string(8 - text.size(), '0') + text;
}

TEST_CASE("pair store: Freeze takes a count per leaf and copies no pair, a write copies one leaf") {
  PairStore store;
  for (int i = 0; i < 100'000; ++i) store.insert_or_assign(Key(i), "v" + std::to_string(i));
  REQUIRE(store.copy_stats().pairs_copied == 0);
  // Appending in key order fills the leaves.
  CHECK(store.leaf_count() == (100'000 + PairStore::kMaxLeafPairs - 1) / PairStore::kMaxLeafPairs);

  FrozenPairs frozen = store.Freeze();
  CHECK(frozen.size() == 100'000);
  CHECK(frozen.leaf_count() == store.leaf_count());
  CHECK(store.copy_stats().pairs_copied == 0);  // the freeze itself touched no pair

  store.insert_or_assign(Key(500), "changed");
  store.erase(Key(70'000));
  store.insert_or_assign(Key(70'000) + "x", "new");
  // Each change copied only the leaf it changed (two leaves: 500's, 70,000's).
  CHECK(store.copy_stats().leaves_copied == 2);
  CHECK(store.copy_stats().pairs_copied <= 2 * PairStore::kMaxLeafPairs);
  store.insert_or_assign(Key(501), "changed too");  // the same leaf, now this store's alone
  CHECK(store.copy_stats().leaves_copied == 2);

  // The frozen copy still holds the store as it was.
  size_t seen = 0;
  for (const auto& [key, value] : frozen) {
    REQUIRE(key == Key(static_cast<int>(seen)));
    REQUIRE(value == "v" + std::to_string(seen));
    ++seen;
  }
  CHECK(seen == 100'000);
  CHECK(store.at(Key(500)) == "changed");
  CHECK(store.count(Key(70'000)) == 0);
  CHECK(store.size() == 100'000);
}

TEST_CASE("pair store: frozen copies and copies of the store agree with std::map snapshots over random writes") {
  PairStore store;
  std::map<std::string, std::string> model;
  std::vector<std::pair<FrozenPairs, std::map<std::string, std::string>>> frozen;
  std::mt19937 random(11);
  for (int i = 0; i < 60'000; ++i) {
    const std::string key = "k" + std::to_string(random() % 5'000);
    const unsigned action = random() % 10;
    if (action < 4) {
      CHECK(store.erase(key) == model.erase(key));  // also empties and merges leaves
    } else {
      const std::string value(random() % 20, static_cast<char>('a' + random() % 26));
      store.insert_or_assign(key, value);
      model[key] = value;
    }
    if (i % 10'000 == 0) frozen.emplace_back(store.Freeze(), model);
  }
  auto same = [](const auto& pairs, const std::map<std::string, std::string>& expected) {
    if (pairs.size() != expected.size()) return false;
    auto it = expected.begin();
    for (const auto& [key, value] : pairs) {
      if (key != it->first || value != it->second) return false;
      ++it;
    }
    return true;
  };
  CHECK(same(store, model));
  for (const auto& [pairs, expected] : frozen) CHECK(same(pairs, expected));
  // Bounds across leaf edges.
  for (const auto& [key, value] : model) {
    REQUIRE(store.lower_bound(key)->key() == key);
    auto above = model.upper_bound(key);
    auto found = store.upper_bound(key);
    if (above == model.end()) {
      REQUIRE(found == store.end());
    } else {
      REQUIRE(found->key() == above->first);
    }
  }
  // Leaves stay between a quarter full and full, but for the last ones an erase left.
  for (size_t n = 0; n < 4'000 && !model.empty(); ++n) {
    const std::string key = model.begin()->first;
    model.erase(model.begin());
    REQUIRE(store.erase(key) == 1);
  }
  CHECK(same(store, model));
  CHECK(store.leaf_count() <= model.size() / (PairStore::kMaxLeafPairs / 4) + 2);
}

}  // namespace
}  // namespace ts
