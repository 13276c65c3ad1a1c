// A write group folded into one net change per entry: what every store's
// commit applies to the entries table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.h"

namespace cnake {

enum class ChangeKind { kNotFinal, kCompleted, kFailed };
// One letter per kind ("p", "c", "f"), for staging tables.
std::string_view ChangeKindCode(ChangeKind kind);

// The net effect of a group on one entry, as if its rows were applied in the
// order the per-row statements had: submissions, state changes in order, then
// the final result (completion or failure). Points into the group it was
// folded from, which must outlive it.
struct EntryChange {
  std::string entry_id;
  ChangeKind kind = ChangeKind::kNotFinal;
  EntryState state = EntryState::kPending;  // the state when not final
  bool submitted = false;
  std::string request_id;
  bool clear_request_id = false;
  std::optional<std::int64_t> submission_seq;
  std::int64_t attempts = 0;
  std::optional<std::string> last_error;
  const Completion* completion = nullptr;
  const Failure* failure = nullptr;
};

std::vector<EntryChange> Fold(const WriteGroup& g);

// Folds a later change of the same entry into an earlier one, as if both had
// been applied in order. A final change is never undone by a later one that
// is not final. The result points into no group (completion and failure are
// reset): only `kind` says whether the entry was completed or failed.
void MergeInto(EntryChange& earlier, const EntryChange& later);

}  // namespace cnake
