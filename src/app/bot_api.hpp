// What the sender and the bot both read from a Bot API answer beyond its status. Private to
// the app layer.
#pragma once

#include <cstdint>

#include "teleglas/alerts/bot_commands.hpp"
#include "teleglas/net/https_client.hpp"

namespace teleglas {

// parameters.retry_after of a 429 body; the Retry-After header, else 1 s, when it is missing.
inline std::int64_t retry_after_of(const HttpsResponse& res) {
  const UpdatesAnswer answer = parse_get_updates(res.body);  // reads any Bot API error body
  if (answer.retry_after_s > 0) return answer.retry_after_s;
  return res.retry_after ? res.retry_after->count() : 1;
}

}  // namespace teleglas
