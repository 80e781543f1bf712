#include "teleglas/app/warm_up.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"
#include "teleglas/sim/market_generator.hpp"

namespace teleglas {
namespace {

using testing::TempDir;

// Twenty minutes of generated market, one frame per line.
std::string market(MarketGeneratorOptions& options) {
  options.duration_s = 1200;
  options.seed = 11;
  std::ostringstream out;
  generate_market(options, out);
  return out.str();
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(WarmUp, FeedsTheLastSpanOfTheRecordingAndSendsNothing) {
  TempDir dir;
  MarketGeneratorOptions options;
  const std::string text = market(options);
  write(dir / "rec.jsonl", text);
  const Config config;
  Pipeline pipeline(config);
  const TimeMs span = 7 * 60'000;
  const WarmUp w = warm_up_from_recording((dir / "rec.jsonl").string(), config, pipeline, span);
  EXPECT_TRUE(w.error.empty()) << w.error;
  EXPECT_FALSE(w.partial);
  EXPECT_GT(w.lines, 0u);
  EXPECT_LE(w.to - w.from, span);
  EXPECT_GE(w.to - w.from, span - 10'000) << "the span, to the nearest frame";
  EXPECT_EQ(pipeline.now(), w.to) << "the clock stands where the recording ended";
  EXPECT_GE(w.to, options.start_time + 1'100'000);
  EXPECT_EQ(pipeline.outcomes_followed(), 0u) << "what was decided again is not followed again";
}

TEST(WarmUp, ADirectoryIsReadFromItsNewestDailyFilesOnly) {
  TempDir dir;
  MarketGeneratorOptions options;
  const std::string text = market(options);
  // The recording's end split across two days; an older day and another file beside them.
  const std::size_t half = text.find('\n', text.size() / 2) + 1;
  std::filesystem::create_directory(dir / "rec");
  write(dir / "rec" / "2024-01-01.jsonl", "not a frame\n");
  write(dir / "rec" / "2024-09-03.jsonl", text.substr(0, half));
  write(dir / "rec" / "2024-09-04.jsonl", text.substr(half));
  write(dir / "rec" / "notes.txt", "{}\n");
  const Config config;
  Pipeline from_dir(config);
  const WarmUp w = warm_up_from_recording((dir / "rec").string(), config, from_dir, 15 * 60'000);
  Pipeline from_file(config);
  write(dir / "one.jsonl", text);
  const WarmUp one = warm_up_from_recording((dir / "one.jsonl").string(), config, from_file,
                                            15 * 60'000);
  EXPECT_EQ(w.from, one.from);
  EXPECT_EQ(w.to, one.to);
  EXPECT_EQ(w.lines, one.lines);
  EXPECT_EQ(w.signals, one.signals);
}

TEST(WarmUp, ATailTooBigForTheBudgetIsPartialAndAMissingRecordingIsAFirstStart) {
  TempDir dir;
  MarketGeneratorOptions options;
  const std::string text = market(options);
  write(dir / "rec.jsonl", text);
  const Config config;
  Pipeline pipeline(config);
  const WarmUp w = warm_up_from_recording((dir / "rec.jsonl").string(), config, pipeline,
                                          15 * 60'000, /*max_bytes=*/20'000);
  EXPECT_TRUE(w.partial);
  EXPECT_GT(w.lines, 0u);

  Pipeline fresh(config);
  const WarmUp none =
      warm_up_from_recording((dir / "missing.jsonl").string(), config, fresh, 60'000);
  EXPECT_TRUE(none.error.empty());
  EXPECT_EQ(none.lines, 0u);
  EXPECT_EQ(fresh.now(), 0);
}

}  // namespace
}  // namespace teleglas
