#include "teleglas/alerts/send_photo.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace teleglas {

namespace {

void add_field(std::string& body, std::string_view boundary, std::string_view name,
               std::string_view value) {
  fmt::format_to(std::back_inserter(body),
                 "--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n", boundary,
                 name, value);
}

// FNV-1a of the content, so the same request is built the same way every time.
std::uint64_t fingerprint(std::string_view a, std::string_view b) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const std::string_view part : {a, b}) {
    for (const char c : part) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  return h;
}

}  // namespace

MultipartRequest send_photo_request(ChatId chat_id, std::string_view png,
                                    std::string_view caption_html, bool silent) {
  std::uint64_t seed = fingerprint(png, caption_html);
  std::string boundary;
  do {
    boundary = fmt::format("teleglas-{:016x}", seed++);
  } while (png.find(boundary) != std::string_view::npos ||
           caption_html.find(boundary) != std::string_view::npos);

  MultipartRequest request;
  request.content_type = "multipart/form-data; boundary=" + boundary;
  std::string& body = request.body;
  body.reserve(png.size() + caption_html.size() + 1024);
  add_field(body, boundary, "chat_id", std::to_string(chat_id));
  if (!caption_html.empty()) {
    add_field(body, boundary, "caption", caption_html);
    add_field(body, boundary, "parse_mode", "HTML");
  }
  add_field(body, boundary, "disable_notification", silent ? "true" : "false");
  fmt::format_to(std::back_inserter(body),
                 "--{}\r\nContent-Disposition: form-data; name=\"photo\"; "
                 "filename=\"chart.png\"\r\nContent-Type: image/png\r\n\r\n",
                 boundary);
  body.append(png);
  fmt::format_to(std::back_inserter(body), "\r\n--{}--\r\n", boundary);
  return request;
}

}  // namespace teleglas
