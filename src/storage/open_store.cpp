#include "teleglas/storage/open_store.hpp"

#include <stdexcept>

#include "teleglas/storage/postgres_store.hpp"
#include "teleglas/storage/sqlite_store.hpp"

namespace teleglas {

std::unique_ptr<Store> open_store(const StorageConfig& storage) {
  if (storage.backend == "sqlite") return SqliteStore::open(storage.path);
  if (storage.backend == "postgres") {
    return PostgresStore::open(storage.postgres_url, storage.instance);
  }
  throw std::runtime_error("storage.backend " + storage.backend +
                           " is not a storage backend; use sqlite or postgres");
}

}  // namespace teleglas
