// The body of a Bot API sendPhoto request: multipart/form-data carrying the PNG itself (no
// URL: the picture exists only here) and the caption in Telegram HTML. Pure.
#pragma once

#include <string>
#include <string_view>

#include "teleglas/alerts/rate_limiter.hpp"  // ChatId

namespace teleglas {

struct MultipartRequest {
  std::string content_type;  // "multipart/form-data; boundary=..."
  std::string body;
};

// chat_id, photo (filename chart.png, image/png), caption, parse_mode HTML and
// disable_notification. The boundary is chosen so that it occurs in no part.
MultipartRequest send_photo_request(ChatId chat_id, std::string_view png,
                                    std::string_view caption_html, bool silent);

}  // namespace teleglas
