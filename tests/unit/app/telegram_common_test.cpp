#include "teleglas/app/telegram_common.hpp"

#include <gtest/gtest.h>

namespace teleglas {
namespace {

TEST(TelegramStats, TheSumAddsEveryCounter) {
  const TelegramStats sender{
      .sent = 1, .failed = 2, .dropped = 3, .restored = 4, .store_errors = 5};
  const TelegramStats bot{.muted = 6,
                          .store_errors = 7,
                          .commands_answered = 8,
                          .commands_ignored = 9,
                          .update_polls_failed = 10};
  const TelegramStats sum = sender + bot;
  EXPECT_EQ(sum.sent, 1u);
  EXPECT_EQ(sum.failed, 2u);
  EXPECT_EQ(sum.dropped, 3u);
  EXPECT_EQ(sum.muted, 6u);
  EXPECT_EQ(sum.restored, 4u);
  EXPECT_EQ(sum.store_errors, 12u);
  EXPECT_EQ(sum.commands_answered, 8u);
  EXPECT_EQ(sum.commands_ignored, 9u);
  EXPECT_EQ(sum.update_polls_failed, 10u);
}

}  // namespace
}  // namespace teleglas
