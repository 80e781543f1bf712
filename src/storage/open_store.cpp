#include "teleglas/storage/open_store.hpp"

#include <stdexcept>

namespace teleglas {

// Placeholder until the backends implement Store.
std::unique_ptr<Store> open_store(const StorageConfig& storage) {
  throw std::runtime_error("storage backend " + storage.backend + " is not available yet");
}

std::string redact_postgres_url(std::string_view url) {
  return std::string(url);
}

}  // namespace teleglas
