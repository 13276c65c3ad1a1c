#include "store/report_rows.h"

namespace cnake {

std::int64_t StateCounts::Of(EntryState state) const {
  auto it = by_state.find(state);
  return it == by_state.end() ? 0 : it->second;
}

std::int64_t StateCounts::total() const {
  std::int64_t n = 0;
  for (const auto& [state, count] : by_state) n += count;
  for (const auto& [text, count] : unknown_states) n += count;
  return n;
}

}  // namespace cnake
