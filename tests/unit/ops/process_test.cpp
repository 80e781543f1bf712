#include "teleglas/ops/process.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace teleglas {
namespace {

TEST(Process, ResidentSetGrowsWithMemoryTouched) {
  const auto before = resident_set_bytes();
  ASSERT_TRUE(before.has_value());
  EXPECT_GT(*before, 1 << 20);
  constexpr std::size_t size = 64u << 20;
  auto block = std::make_unique<char[]>(size);
  std::memset(block.get(), 1, size);  // resident only once written
  const auto after = resident_set_bytes();
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after - *before, static_cast<std::int64_t>(size / 2)) << *before << " -> " << *after;
  EXPECT_EQ(block[size - 1], 1);
}

}  // namespace
}  // namespace teleglas
