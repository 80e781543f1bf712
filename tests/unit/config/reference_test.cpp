// The configuration reference: the loader describes the keys it reads, the shipped
// config/teleglas.yaml documents them, and the README's table is generated from both.
#include "teleglas/config/reference.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "config_test_support.hpp"
#include "teleglas/config/load.hpp"

namespace teleglas {
namespace {

using teleglas::testing::read_file;
using ::testing::HasSubstr;

const std::string source_dir = TELEGLAS_SOURCE_DIR;

std::map<std::string, ConfigKey> keys_by_path(const Config& config = Config{}) {
  std::map<std::string, ConfigKey> keys;
  for (ConfigKey& key : describe_config(config)) keys.emplace(key.path, std::move(key));
  return keys;
}

TEST(ConfigReference, DescribesAKeyWithItsTypeDefaultAndRange) {
  const ConfigKey key = keys_by_path().at("analysis.stop_hunt.window_s");
  EXPECT_EQ(key.type, "number");
  EXPECT_EQ(key.value, "30");
  EXPECT_EQ(key.allowed, "(0, 86400]");
  EXPECT_FALSE(key.required);
}

TEST(ConfigReference, DescribesChoicesUrlSchemesAndCrossFieldRules) {
  const auto keys = keys_by_path();
  EXPECT_EQ(keys.at("storage.backend").allowed, "one of sqlite, postgres");
  EXPECT_EQ(keys.at("coinglass.ws_url").allowed, "a wss:// URL with a host");
  EXPECT_EQ(keys.at("analysis.order_flow.buy_ratio_short").allowed, "[0, 1]; < buy_ratio_long");
  EXPECT_EQ(keys.at("storage.postgres_url").allowed, "required when backend is postgres");
  EXPECT_EQ(keys.at("telegram.chat_ids").type, "list of integers");
  EXPECT_EQ(keys.at("telegram.commands").value, "true");
  EXPECT_EQ(keys.at("secrets_file").value, "\"\"");
}

TEST(ConfigReference, ListsOfMapsAreDescribedOnceWithTheirElementKeys) {
  const auto keys = keys_by_path();
  EXPECT_EQ(keys.at("symbols").type, "list of maps");
  EXPECT_EQ(keys.at("symbols").value,
            "[{symbol: BTCUSDT, exchanges: [Binance], min_trade_usd: 10000, analysis: {}}]");
  EXPECT_TRUE(keys.at("symbols[].symbol").required);
  EXPECT_EQ(keys.at("symbols[].exchanges").value, "[Binance]");
  EXPECT_TRUE(keys.at("analysis.scoring.volume_tiers[].above").required);
}

TEST(ConfigReference, SymbolOverridesAreDescribedAsTheKeysOfTheGlobalAnalysis) {
  const auto keys = keys_by_path();
  EXPECT_EQ(keys.at("symbols[].analysis").same_keys_as, "analysis");
  for (const auto& [path, key] : keys) {
    EXPECT_FALSE(path.starts_with("symbols[].analysis.")) << path;
  }
}

TEST(ConfigReference, DescribesTheValuesOfTheConfigItIsGiven) {
  Config config;
  config.analysis.stop_hunt.window_s = 12.5;
  config.telegram.chat_ids = {-100123, 42};
  const auto keys = keys_by_path(config);
  EXPECT_EQ(keys.at("analysis.stop_hunt.window_s").value, "12.5");
  EXPECT_EQ(keys.at("telegram.chat_ids").value, "[-100123, 42]");
}

TEST(DocumentedKeys, MeaningIsTheCommentAboveWithoutItsRangeAndDefault) {
  const auto keys = documented_keys(
      "# A section.\n"
      "signals:\n"
      "  # No repeat within this,\n"
      "  # seconds, [0, 86400]. Default: 300\n"
      "  cooldown_s: 300\n"
      "\n"
      "  undocumented: 1\n");
  ASSERT_EQ(keys.size(), 3U);
  EXPECT_EQ(keys[0].path, "signals");
  EXPECT_EQ(keys[0].meaning, "A section.");
  EXPECT_EQ(keys[1].path, "signals.cooldown_s");
  EXPECT_EQ(keys[1].line, 5);
  EXPECT_EQ(keys[1].meaning, "No repeat within this, seconds.");
  EXPECT_EQ(keys[1].stated_default, "300");
  EXPECT_EQ(keys[2].meaning, "");
}

TEST(DocumentedKeys, ARangeInsideTheSentenceIsKept) {
  const auto keys =
      documented_keys("# Most per connection, [1, 1000]; more open more. Default: 5\nn: 5\n");
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].meaning, "Most per connection, [1, 1000]; more open more.");
}

TEST(DocumentedKeys, ListElementsAreOneKeyAndTheCommentAfterTheDashDocumentsTheFirst) {
  const auto keys = documented_keys(
      "symbols:\n"
      "  - # Exchange symbol. Required.\n"
      "    symbol: BTCUSDT\n"
      "  - symbol: ETHUSDT\n"
      "    # Exchanges. Default: [Binance]\n"
      "    exchanges: [Binance]\n");
  ASSERT_EQ(keys.size(), 3U);
  EXPECT_EQ(keys[1].path, "symbols[].symbol");
  EXPECT_EQ(keys[1].meaning, "Exchange symbol.");
  EXPECT_EQ(keys[2].path, "symbols[].exchanges");
  EXPECT_EQ(keys[2].meaning, "Exchanges.");
}

TEST(ShippedConfig, CompiledInCopyIsTheFileOnDisk) {
  EXPECT_EQ(shipped_config_yaml(), read_file(source_dir + "/config/teleglas.yaml"))
      << "reconfigure the build (cmake) to pick up config/teleglas.yaml";
}

// A comment's "Default: X" is prose nobody compiles: it must say what the loader does.
TEST(ShippedConfig, StatedDefaultsAreTheLoaderDefaults) {
  const auto keys = keys_by_path();
  const auto number = [](const std::string& text, double& out) {
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size();
  };
  for (const DocumentedKey& doc : documented_keys(shipped_config_yaml())) {
    const auto key = keys.find(doc.path);
    if (key == keys.end() || doc.stated_default.empty()) continue;
    if (key->second.is_map() || key->second.type == "list of maps") continue;  // prose
    std::string stated = doc.stated_default.substr(0, doc.stated_default.find(' '));
    if (stated.ends_with('.')) stated.pop_back();
    double stated_number = 0;
    double loader_number = 0;
    const bool same = stated == key->second.value ||
                      (number(stated, stated_number) && number(key->second.value, loader_number) &&
                       stated_number == loader_number);
    EXPECT_TRUE(same) << "config/teleglas.yaml:" << doc.line << ": " << doc.path
                      << ": the comment says Default: " << stated << ", the loader's default is "
                      << key->second.value;
  }
}

TEST(ShippedConfig, EveryKeyHasAMeaning) {
  std::map<std::string, std::string> meanings;
  for (const DocumentedKey& doc : documented_keys(shipped_config_yaml())) {
    meanings[doc.path] = doc.meaning;
  }
  for (const ConfigKey& key : describe_config()) {
    if (key.is_map()) continue;
    // The keys of flow-style list elements ({above: 0.7, points: 10}) share the list's comment.
    const std::size_t element = key.path.rfind("[].");
    const std::string documented_at = element != std::string::npos && meanings[key.path].empty()
                                          ? key.path.substr(0, element)
                                          : key.path;
    EXPECT_FALSE(meanings[documented_at].empty())
        << key.path << ": config/teleglas.yaml has no comment above it";
  }
}

TEST(Readme, ConfigurationReferenceIsGeneratedFromTheLoader) {
  const std::string begin = "<!-- config-reference:begin -->\n";
  const std::string end = "<!-- config-reference:end -->";
  const std::string readme = read_file(source_dir + "/README.md");
  const std::size_t from = readme.find(begin);
  const std::size_t to = readme.find(end);
  ASSERT_TRUE(from != std::string::npos && to != std::string::npos && from < to)
      << "README.md lacks the " << begin << " / " << end << " markers";
  const std::string section = readme.substr(from + begin.size(), to - from - begin.size());
  EXPECT_EQ(section, config_reference_markdown(read_file(source_dir + "/config/teleglas.yaml")))
      << "README.md's configuration reference is stale: regenerate it with "
         "scripts/config-reference.sh (after building teleglas)";
}

TEST(Readme, ReferenceTextNamesEveryKey) {
  const std::string text = config_reference_text();
  for (const ConfigKey& key : describe_config()) {
    EXPECT_THAT(text, HasSubstr(key.path + "  (" + key.type)) << key.path;
  }
}

}  // namespace
}  // namespace teleglas
