// The entry and batch states, and their one mapping to and from text.
//
// The text forms are what the database columns (processing_status,
// batch_jobs.status) and the JSON documents hold. Only the store and the JSON
// renderers convert; everything else works with the enums.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace cnake {

// The entry states of the design (section 4.2), in the order reports list them.
enum class EntryState { kPending, kSubmitted, kProcessing, kCompleted, kFailed, kRetrying };
inline constexpr std::array<EntryState, 6> kAllEntryStates = {
    EntryState::kPending,   EntryState::kSubmitted, EntryState::kProcessing,
    EntryState::kCompleted, EntryState::kFailed,    EntryState::kRetrying};

std::string_view EntryStateName(EntryState state);
// nullopt for text that names no state (a foreign tool's value).
std::optional<EntryState> ParseEntryState(std::string_view text);
// Completed and failed entries are final: no run changes them again.
inline bool IsFinal(EntryState s) {
  return s == EntryState::kCompleted || s == EntryState::kFailed;
}

// A batch's recorded status. kUnknown stands for text written by another tool.
enum class BatchStatus { kRunning, kCompleted, kFailed, kInterrupted, kCancelled, kUnknown };

std::string_view BatchStatusName(BatchStatus status);
// kUnknown for text that names no status.
BatchStatus ParseBatchStatus(std::string_view text);

}  // namespace cnake
