#include "teleglas/core/outcome.hpp"

namespace teleglas {

namespace {
constexpr std::string_view outcome_state_names[outcome_state_count] = {"open", "win", "loss",
                                                                       "expired", "untracked"};
}  // namespace

std::string_view to_string(OutcomeState s) {
  return outcome_state_names[static_cast<int>(s)];
}

std::optional<OutcomeState> outcome_state_from_string(std::string_view s) {
  for (int i = 0; i < outcome_state_count; ++i) {
    if (outcome_state_names[i] == s) return static_cast<OutcomeState>(i);
  }
  return std::nullopt;
}

}  // namespace teleglas
