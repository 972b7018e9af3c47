// PairStore: one heap block per pair, ordered by key, values replaced in place.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

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

}  // namespace
}  // namespace ts
