// Keeping PostgreSQL passwords out of messages: what of a libpq URL or key=value connection
// string is a secret, and messages (libpq's own may quote the connection string) with the
// secrets blotted out. redact_postgres_url (open_store.hpp) is built on the same parse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace teleglas::storage {

// Every password in `url` (password, sslpassword; the user:password of a URL), as written and
// as libpq reads it (percent-decoded, unquoted): the strings no message may carry.
std::vector<std::string> postgres_url_secrets(std::string_view url);

// `message` with each occurrence of each secret replaced by "***".
std::string scrub_secrets(std::string message, const std::vector<std::string>& secrets);

}  // namespace teleglas::storage
