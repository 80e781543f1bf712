// How the Telegram sender and bot use the storage writer from the io thread without waiting on
// it: the work runs on the writer's thread, its result comes back to the io thread. Private to
// the app layer.
#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "teleglas/storage/writer.hpp"

namespace teleglas {

// Runs `work(Store*)` on the writer's thread (the store is null while none is open), then
// `done(owner, result)` on `io`, unless the owner is gone by then. The job holds the owner
// weakly: were it the last holder, the owner's sockets and timers would die on the writer's
// thread.
template <typename Owner, typename Work, typename Done>
void on_storage(StorageWriter& storage, const boost::asio::any_io_executor& io,
                std::weak_ptr<Owner> owner, Work work, Done done) {
  storage.submit(
      [io, owner = std::move(owner), work = std::move(work), done = std::move(done)](Store* store) {
        boost::asio::post(io, [owner, done, result = work(store)]() mutable {
          if (const std::shared_ptr<Owner> self = owner.lock()) done(*self, std::move(result));
        });
      });
}

// Why a write failed; nullopt when it succeeded.
using WriteError = std::optional<std::string>;

// `write(store)` run on the writer's thread, with the reason when it fails: the store's own
// message, or that none is open.
template <typename Write>
WriteError write_error(Store* store, const Write& write) {
  if (store == nullptr) return std::string("no store is open");
  if (write(*store)) return std::nullopt;
  return store->last_error();
}

// A write whose only answer is whether it failed: a failure is counted in the owner's
// stats.store_errors and logged with what it means for the alerts (`consequence`).
template <typename Owner, typename Write>
void write_on_storage(StorageWriter& storage, const boost::asio::any_io_executor& io,
                      std::weak_ptr<Owner> owner, Write write, std::string consequence) {
  on_storage(
      storage, io, std::move(owner), [write](Store* store) { return write_error(store, write); },
      [consequence](Owner& self, const WriteError& error) {
        if (!error) return;
        ++self.stats.store_errors;
        spdlog::error("storage: {}; {}", *error, consequence);
      });
}

}  // namespace teleglas
