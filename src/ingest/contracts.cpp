#include "teleglas/ingest/contracts.hpp"

#include <cmath>
#include <functional>

#include "teleglas/ingest/venue_symbols.hpp"

namespace teleglas {

std::size_t ContractTable::Hash::operator()(std::string_view s) const noexcept {
  return std::hash<std::string_view>{}(s);
}

ContractTable::Update ContractTable::set(std::string_view inst_id, ContractSpec spec) {
  if (!(std::isfinite(spec.value) && spec.value > 0)) return Update::bad_value;
  if (const auto it = contracts_.find(inst_id); it != contracts_.end()) {
    it->second.spec = spec;
    return Update::updated;
  }
  if (contracts_.size() >= capacity_) return Update::full;
  auto name = okx_common_name(inst_id);
  if (!name) return Update::bad_name;
  contracts_.emplace(std::string(inst_id),
                     Contract{spec, std::move(name->symbol), std::move(name->base_asset)});
  return Update::added;
}

const ContractTable::Contract* ContractTable::find(std::string_view inst_id) const {
  const auto it = contracts_.find(inst_id);
  return it == contracts_.end() ? nullptr : &it->second;
}

}  // namespace teleglas
