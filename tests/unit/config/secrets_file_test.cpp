// secrets_file: the env file with the API keys must exist and be private to its owner. The loader
// reports it as a file problem (check-config fails on it, the daemon warns) and never reads it.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "config_test_support.hpp"
#include "support/temp_dir.hpp"
#include "teleglas/config/load.hpp"

namespace teleglas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using namespace teleglas::testing;

std::vector<std::string> file_reports(const ConfigLoadResult& result) {
  std::vector<std::string> lines;
  for (const ConfigProblem& p : result.file_problems) lines.push_back(p.to_string());
  return lines;
}

// A secrets file holding a fake token, with `mode`.
std::string write_secrets(const TempDir& dir, mode_t mode) {
  const std::string path = dir.file("teleglas.env");
  std::ofstream(path) << "TELEGRAM_BOT_TOKEN=fake-token-not-for-output\n";
  ::chmod(path.c_str(), mode);
  return path;
}

std::string config_naming(const std::string& secrets_path) {
  return "http:\n  listen: 127.0.0.1:8080\nsecrets_file: " + secrets_path + "\n";
}

TEST(SecretsFile, DefaultIsNoneAndNothingIsChecked) {
  const ConfigLoadResult result = load("");
  EXPECT_EQ(result.config.secrets_file, "");
  EXPECT_THAT(file_reports(result), IsEmpty());
}

TEST(SecretsFile, PrivateFileIsNoProblem) {
  TempDir dir;
  const std::string path = write_secrets(dir, 0600);
  const ConfigLoadResult result = load(config_naming(path));
  EXPECT_EQ(result.config.secrets_file, path);
  EXPECT_THAT(reports(result), IsEmpty());
  EXPECT_THAT(file_reports(result), IsEmpty());
}

TEST(SecretsFile, ReadableByOthersIsAFileProblemAtItsLineNotAnInvalidConfig) {
  TempDir dir;
  const std::string path = write_secrets(dir, 0644);
  const ConfigLoadResult result = load(config_naming(path));
  EXPECT_TRUE(result.ok());
  EXPECT_THAT(file_reports(result),
              ElementsAre("test.yaml:3: secrets_file: " + path +
                          " is readable by group or others (mode 0644); chmod 600 it"));
}

TEST(SecretsFile, GroupBitsAloneAreAProblem) {
  TempDir dir;
  const std::string path = write_secrets(dir, 0640);
  EXPECT_THAT(file_reports(load(config_naming(path))),
              ElementsAre(HasSubstr("is readable by group or others (mode 0640)")));
}

TEST(SecretsFile, WritableByGroupIsAProblemToo) {
  TempDir dir;
  const std::string path = write_secrets(dir, 0620);
  EXPECT_THAT(file_reports(load(config_naming(path))),
              ElementsAre(HasSubstr("is accessible by group or others (mode 0620); chmod 600 it")));
}

TEST(SecretsFile, MissingFileIsAProblem) {
  TempDir dir;
  const std::string path = dir.file("absent.env");
  EXPECT_THAT(file_reports(load(config_naming(path))),
              ElementsAre("test.yaml:3: secrets_file: " + path + " does not exist"));
}

TEST(SecretsFile, DirectoryIsNotASecretsFile) {
  TempDir dir;
  EXPECT_THAT(file_reports(load(config_naming(dir.path().string()))),
              ElementsAre(HasSubstr("is not a regular file")));
}

TEST(SecretsFile, ProblemNeverQuotesTheContent) {
  TempDir dir;
  const std::string path = write_secrets(dir, 0666);
  const std::vector<std::string> lines = file_reports(load(config_naming(path)));
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_THAT(lines[0], Not(HasSubstr("fake-token")));
}

TEST(SecretsFile, NonStringValueIsATypeErrorAndChecksNoFile) {
  const ConfigLoadResult result = load("secrets_file: [a, b]\n");
  EXPECT_THAT(reports(result), ElementsAre(HasSubstr("test.yaml:1: secrets_file:")));
  EXPECT_THAT(file_reports(result), IsEmpty());
}

}  // namespace
}  // namespace teleglas
