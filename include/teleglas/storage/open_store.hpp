// Opens the store storage.backend names: SQLite (storage.path) or PostgreSQL
// (storage.postgres_url, scoped by storage.instance).
#pragma once

#include <memory>

#include "teleglas/config/config.hpp"
#include "teleglas/storage/store.hpp"

namespace teleglas {

// Throws std::runtime_error naming the file or the URL (password redacted) and the reason.
std::unique_ptr<Store> open_store(const StorageConfig& storage);

// The URL or connection string with any password replaced by "***" (for logs and errors).
std::string redact_postgres_url(std::string_view url);

}  // namespace teleglas
