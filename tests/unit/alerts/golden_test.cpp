// Whole rendered messages, compared byte for byte with reviewed files in tests/golden/alerts/.
// Each file holds the output followed by one newline. After an intended change, run the tests
// with TELEGLAS_UPDATE_GOLDEN=1 to rewrite the files, then review the diff by eye.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "sample_signals.hpp"
#include "teleglas/alerts/formatter.hpp"
#include "teleglas/alerts/signal_json.hpp"

namespace teleglas {
namespace {

bool updating_goldens() {
  const char* update = std::getenv("TELEGLAS_UPDATE_GOLDEN");
  return update != nullptr && std::string_view(update) == "1";
}

void expect_matches_golden(const std::string& rendered, const std::string& file_name) {
  const std::filesystem::path path =
      std::filesystem::path(TELEGLAS_SOURCE_DIR) / "tests" / "golden" / "alerts" / file_name;
  const std::string actual = rendered + "\n";
  if (updating_goldens()) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; run with TELEGLAS_UPDATE_GOLDEN=1 and review it";
  const std::string expected{std::istreambuf_iterator<char>(in), {}};
  EXPECT_EQ(actual, expected) << "differs from " << path
                              << "; if intended, run with TELEGLAS_UPDATE_GOLDEN=1 and review";
}

class GoldenTelegramHtml : public ::testing::TestWithParam<samples::NamedSample> {};

TEST_P(GoldenTelegramHtml, MatchesTheReviewedMessage) {
  expect_matches_golden(format_telegram_html(GetParam().signal), GetParam().name + ".html");
}

INSTANTIATE_TEST_SUITE_P(EveryType, GoldenTelegramHtml, ::testing::ValuesIn(samples::all_types()),
                         [](const auto& info) { return info.param.name; });

TEST(GoldenPlainText, StopHuntMatchesTheReviewedText) {
  expect_matches_golden(format_plain_text(samples::stop_hunt_long()), "stop_hunt.txt");
}

TEST(GoldenPlainText, FundingExtremeMatchesTheReviewedText) {
  expect_matches_golden(format_plain_text(samples::funding_extreme()), "funding_extreme.txt");
}

TEST(GoldenSignalJson, StopHuntMatchesTheReviewedLine) {
  expect_matches_golden(signal_to_json(samples::stop_hunt_long()), "stop_hunt.json");
}

}  // namespace
}  // namespace teleglas
