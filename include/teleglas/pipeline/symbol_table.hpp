// Symbol name -> slot of its state, for the pipeline's hot path: open addressing with linear
// probing over a power-of-two table, a cheap hash of short names, and deletion by backward
// shift (no tombstones, so a flood of names that come and go cannot degrade it). The table
// holds views: each name must stay where it is until it is erased (the pipeline's symbol state
// owns it).
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "teleglas/core/names.hpp"

namespace teleglas {

class SymbolTable {
 public:
  static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
  SymbolTable() : entries_(64) {}

  std::size_t find(std::string_view name) const {
    const std::uint64_t h = hash(name);
    for (std::size_t i = h & mask(); entries_[i].slot != 0; i = (i + 1) & mask()) {
      if (entries_[i].hash == h && same_name(entries_[i].name, name)) {
        return entries_[i].slot - 1;
      }
    }
    return none;
  }

  // `name` must not be present, and must outlive its entry.
  void insert(std::string_view name, std::size_t slot) {
    if ((size_ + 1) * 2 > entries_.size()) grow();
    place(Entry{hash(name), name, slot + 1});
    ++size_;
  }

  void erase(std::string_view name) {
    const std::uint64_t h = hash(name);
    std::size_t i = h & mask();
    while (entries_[i].slot != 0 && !(entries_[i].hash == h && same_name(entries_[i].name, name))) {
      i = (i + 1) & mask();
    }
    if (entries_[i].slot == 0) return;
    // Backward shift: pull later entries of the run into the hole when their home allows it.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask(); entries_[j].slot != 0; j = (j + 1) & mask()) {
      const std::size_t home = entries_[j].hash & mask();
      const bool home_after_hole = ((j - home) & mask()) < ((j - hole) & mask());
      if (!home_after_hole) {
        entries_[hole] = entries_[j];
        hole = j;
      }
    }
    entries_[hole] = Entry{};
    --size_;
  }

  std::size_t size() const { return size_; }

  // FNV-1a over the bytes, then a multiply to spread short names over the low bits.
  static std::uint64_t hash(std::string_view name) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
  }

 private:
  struct Entry {
    std::uint64_t hash = 0;
    std::string_view name;
    std::size_t slot = 0;  // slot + 1; 0 = empty
  };
  std::size_t mask() const { return entries_.size() - 1; }
  void place(const Entry& entry) {
    std::size_t i = entry.hash & mask();
    while (entries_[i].slot != 0) i = (i + 1) & mask();
    entries_[i] = entry;
  }
  void grow() {
    std::vector<Entry> old(entries_.size() * 2);
    old.swap(entries_);
    for (const Entry& e : old) {
      if (e.slot != 0) place(e);
    }
  }

  std::vector<Entry> entries_;
  std::size_t size_ = 0;
};

}  // namespace teleglas
