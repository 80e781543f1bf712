// OKX sizes its swaps and futures in contracts. The contract table says what one contract of
// each instrument is worth, from OKX's public instruments list, so that a size in contracts
// becomes a volume in USD. An instrument it does not know is never guessed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teleglas {

// One contract is worth `value` of the base coin (linear: USDT- or USDC-margined) or `value`
// USD (inverse: USD-margined, e.g. BTC-USD-SWAP with ctValCcy USD).
struct ContractSpec {
  double value = 0;  // OKX ctVal
  bool inverse = false;
};

// The USD value of `size` contracts traded at `price` (USDT and USDC count as USD).
constexpr double usd_value(const ContractSpec& contract, double size, double price) {
  return contract.inverse ? size * contract.value : size * contract.value * price;
}

// OKX instrument ID -> contract and common name. Bounded: beyond `capacity` instruments, new
// ones are refused (known ones still update); OKX lists a few hundred swaps and futures.
class ContractTable {
 public:
  static constexpr std::size_t default_capacity = 4096;

  struct Contract {
    ContractSpec spec;
    std::string symbol;      // common name: BTC-USDT-SWAP -> BTCUSDT (ingest/venue_symbols.hpp)
    std::string base_asset;  // BTC
  };

  enum class Update : std::uint8_t {
    added,
    updated,
    full,       // a new instrument while the table is at capacity: refused
    bad_name,   // an instrument ID without a common name (options, malformed)
    bad_value,  // a contract value that is not a positive finite number
  };

  explicit ContractTable(std::size_t capacity = default_capacity) : capacity_(capacity) {}

  Update set(std::string_view inst_id, ContractSpec spec);

  // Null when unknown. The pointer stays valid for the table's lifetime (entries are never
  // removed, and nodes do not move).
  const Contract* find(std::string_view inst_id) const;

  std::size_t size() const { return contracts_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
  };
  std::unordered_map<std::string, Contract, Hash, std::equal_to<>> contracts_;
  std::size_t capacity_;
};

}  // namespace teleglas
