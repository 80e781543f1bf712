// A sliding run of values keyed by an increasing integer (a second, a minute), kept sorted by
// key. New keys arrive at the back; a late key is inserted in order; keys below a floor are
// dropped from the front. Memory follows the number of distinct keys kept, never the number
// of events folded into them, so a window of N seconds costs at most N entries at any rate.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace teleglas {

template <class T>
class KeyedRing {
 public:
  struct Item {
    std::int64_t key;
    T value;
  };

  // The value at `key`, default-constructed when new.
  T& at(std::int64_t key) {
    // Most events fall in the newest key, the rest mostly open the next one.
    if (head_ != items_.size() && key == items_.back().key) return items_.back().value;
    if (head_ == items_.size() || key > items_.back().key) {
      if (items_.capacity() == 0) items_.reserve(8);
      Item& item = items_.emplace_back();  // value-initialised in place, no temporary
      item.key = key;
      return item.value;
    }
    return insert_late(key);
  }

  const T* find(std::int64_t key) const {
    const auto it = lower(key);
    return it != items_.end() && it->key == key ? &it->value : nullptr;
  }

 private:
  // A key older than the newest: found or inserted in order (rare, so kept out of line).
  T& insert_late(std::int64_t key) {
    const auto first = items_.begin() + static_cast<std::ptrdiff_t>(head_);
    auto it = std::lower_bound(first, items_.end(), key,
                               [](const Item& item, std::int64_t k) { return item.key < k; });
    if (it == items_.end() || it->key != key) it = items_.insert(it, {key, T{}});
    return it->value;
  }

 public:
  // Drops every key below `floor`.
  void drop_below(std::int64_t floor) {
    while (head_ < items_.size() && items_[head_].key < floor) ++head_;
    // Compact once the dead prefix outweighs what is live: amortised O(1) per key.
    if (head_ >= 32 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  // Calls f(key, const T&) for each key in [first, last], in key order.
  template <class F>
  void for_range(std::int64_t first, std::int64_t last, F&& f) const {
    for (auto it = lower(first); it != items_.end() && it->key <= last; ++it) f(it->key, it->value);
  }

  bool empty() const { return head_ == items_.size(); }
  std::size_t size() const { return items_.size() - head_; }
  std::int64_t newest_key() const { return items_.back().key; }  // !empty()
  std::int64_t oldest_key() const { return items_[head_].key; }  // !empty()
  // Whether drop_below(floor) would drop anything: the cheap check before the work.
  bool has_below(std::int64_t floor) const { return head_ != items_.size() && items_[head_].key < floor; }
  const T& newest() const { return items_.back().value; }         // !empty()
  T& newest() { return items_.back().value; }                     // !empty()
  std::size_t memory_bytes() const { return items_.capacity() * sizeof(Item); }

 private:
  typename std::vector<Item>::const_iterator lower(std::int64_t key) const {
    const auto first = items_.begin() + static_cast<std::ptrdiff_t>(head_);
    if (first == items_.end() || first->key >= key) return first;
    return std::lower_bound(first, items_.end(), key,
                            [](const Item& item, std::int64_t k) { return item.key < k; });
  }

  std::vector<Item> items_;
  std::size_t head_ = 0;  // items_[0, head_) are dropped, awaiting compaction
};

}  // namespace teleglas
