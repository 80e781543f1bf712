// A stand-in Telegram Bot API, for tests and `teleglas demo --telegram`: a real HTTPS server on
// 127.0.0.1 that records every sendMessage, serves getUpdates long polls from updates the
// caller pushes, answers getMe and getChat (every chat reachable but the ones the caller names),
// and injects the faults a bot must survive (429 with retry_after, 5xx, 409 Conflict, a wrong
// token, slow answers, dropped connections). Tests run it on its own io_context thread; every
// public method may be called from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "teleglas/net/tls_identity.hpp"

namespace teleglas {

// One sendMessage or sendPhoto the server received, whatever it answered.
struct SimTelegramMessage {
  std::string method = "sendMessage";  // or "sendPhoto"
  std::string token;
  std::int64_t chat_id = 0;
  std::string text;     // sendMessage
  std::string caption;  // sendPhoto
  std::string photo;    // sendPhoto: the uploaded file's bytes
  std::string photo_content_type;
  std::string parse_mode;
  bool disable_notification = false;
  std::string link_preview_options;  // the JSON object as received, "" when absent
  unsigned status = 0;               // what the server answered; 0 = connection dropped instead
  std::chrono::steady_clock::time_point received_at;  // for assertions on timing and rate limits
};

// One getUpdates call the server received (recorded on arrival, before any long poll is held).
struct SimGetUpdatesCall {
  std::int64_t offset = 0;  // 0 when absent
  int timeout_s = 0;        // as asked; the server holds at most 50 s
  std::chrono::steady_clock::time_point received_at;
  int limit = 100;                                          // after clamping to 1..100
  std::optional<std::vector<std::string>> allowed_updates;  // nullopt when absent
};

struct SimTelegramOptions {
  TlsIdentity identity;
  std::string token = "123456:TEST-TOKEN";  // requests with any other token get 401
  // Called on the io thread for each sendMessage answered 200, before the answer goes out:
  // how the demo shows its chat as messages arrive. Empty: nobody watches.
  std::function<void(const SimTelegramMessage&)> on_delivered{};
};

// What a Telegram client shows for `message` (its text, or a photo's caption): for parse_mode
// HTML with its tags dropped and its entities (&lt; &gt; &amp; &quot; &#N; &#xN;) decoded;
// otherwise as sent.
std::string displayed_text(const SimTelegramMessage& message);

class SimTelegramServer {
 public:
  // Listens on 127.0.0.1:`port` (0 = any free port) on `io`; nothing runs until io runs.
  SimTelegramServer(boost::asio::io_context& io, SimTelegramOptions options,
                    std::uint16_t port = 0);
  ~SimTelegramServer();
  SimTelegramServer(const SimTelegramServer&) = delete;
  SimTelegramServer& operator=(const SimTelegramServer&) = delete;

  std::uint16_t port() const;
  std::string api_url() const;  // "https://127.0.0.1:PORT"

  // --- sendMessage ---

  // Fault injection: the next `count` sendMessage requests are answered 429 with
  // parameters.retry_after = retry_after_s, or with `status` (5xx).
  void fail_next_with_429(int count, int retry_after_s);
  void fail_next_with_status(int count, unsigned status = 500);
  // Every later sendMessage answer is sent this much after the request arrived (0 = at once).
  // The message is recorded, and counts as delivered, on arrival: a client that times out
  // first has still sent it, as with the real API.
  void set_response_delay(std::chrono::milliseconds delay);
  // The next `count` sendMessage requests are read and recorded with status 0, then their TCP
  // connection is closed without an answer.
  void drop_next_connections(int count);

  // The next `count` sendPhoto requests are refused 400 with `description`, as Telegram
  // refuses a picture it cannot use (e.g. "Bad Request: PHOTO_INVALID_DIMENSIONS").
  void refuse_next_photos(int count,
                          std::string description = "Bad Request: PHOTO_INVALID_DIMENSIONS");

  // Every sendMessage and sendPhoto received so far (answered or not), in order. A copy.
  std::vector<SimTelegramMessage> messages() const;
  // Only those answered 200.
  std::vector<SimTelegramMessage> delivered() const;

  // --- getMe, getChat ---

  // getChat answers these chats 400 "Bad Request: chat not found", as for a chat the bot is
  // not in; every other chat is reachable.
  void set_unreachable_chats(std::vector<std::int64_t> chats);

  // --- getUpdates ---

  // Queues a `message` update (private chat for a positive id, supergroup for a negative one)
  // and wakes a held long poll. Returns its update_id, or nullopt when the bot's last
  // allowed_updates excludes the type, which Telegram would not deliver either (by default
  // everything but chat_member, message_reaction and message_reaction_count is kept).
  std::optional<std::int64_t> push_update(std::int64_t chat_id, std::string text,
                                          std::string from_username = "tester");
  // Queues any update, e.g. R"({"my_chat_member":{...}})": the server adds update_id, and the
  // first key is the update's type. Throws std::invalid_argument if `update_json` is not a
  // JSON object or already has an update_id.
  std::optional<std::int64_t> push_raw_update(std::string update_json);
  // Updates queued and not yet confirmed by a getUpdates offset.
  std::size_t pending_updates() const;

  // The next `count` getUpdates calls are answered `status` and confirm nothing. 409 answers
  // "Conflict: terminated by other getUpdates request; ...", as when a second poller runs.
  void fail_next_get_updates_with_status(int count, unsigned status = 500);

  // Every getUpdates call received so far, in order. A copy. As with Telegram, a getUpdates
  // arriving while another is held ends the held one with 409 Conflict.
  std::vector<SimGetUpdatesCall> get_updates_calls() const;

  // Stops listening, closes every connection and ends held long polls and delayed answers.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace teleglas
