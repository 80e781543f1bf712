#include "teleglas/pipeline/symbol_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace teleglas {
namespace {

TEST(SymbolTable, AgreesWithAMapThroughAFloodOfNamesComingAndGoing) {
  std::vector<std::string> names(4'000);
  for (std::string& n : names) n.reserve(32);  // the views into them stay put
  SymbolTable table;
  std::map<std::string, std::size_t> reference;
  std::vector<std::size_t> free_slots;
  for (std::size_t i = 0; i < names.size(); ++i) free_slots.push_back(i);
  std::mt19937 random(11);
  for (int step = 0; step < 200'000; ++step) {
    const std::string name = "S" + std::to_string(random() % 6'000) + "USDT";
    const auto it = reference.find(name);
    const std::size_t found = table.find(name);
    ASSERT_EQ(found, it == reference.end() ? SymbolTable::none : it->second) << step;
    if (it == reference.end() && !free_slots.empty() && random() % 2) {
      const std::size_t slot = free_slots.back();
      free_slots.pop_back();
      names[slot] = name;
      table.insert(names[slot], slot);
      reference.emplace(name, slot);
    } else if (it != reference.end() && random() % 3 == 0) {
      table.erase(name);
      free_slots.push_back(it->second);
      reference.erase(it);
    }
    ASSERT_EQ(table.size(), reference.size());
  }
}

TEST(SymbolTable, NamesAreToldApartByTheirBytesNotOnlyTheirHash) {
  const std::vector<std::string> names = {"BTCUSDT", "ETHUSDT", "BTCUSDC", "币安人生USDT"};
  SymbolTable table;
  for (std::size_t i = 0; i < names.size(); ++i) table.insert(names[i], i);
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(table.find(names[i]), i);
  EXPECT_EQ(table.find("BTCUSD"), SymbolTable::none);
  table.erase("ETHUSDT");
  EXPECT_EQ(table.find("ETHUSDT"), SymbolTable::none);
  EXPECT_EQ(table.find("BTCUSDC"), 2u);
}

}  // namespace
}  // namespace teleglas
