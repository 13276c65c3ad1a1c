#include "store/states.h"

namespace cnake {
namespace {

struct EntryStateText {
  EntryState state;
  std::string_view text;
};
constexpr EntryStateText kEntryStateTexts[] = {
    {EntryState::kPending, "pending"},       {EntryState::kSubmitted, "submitted"},
    {EntryState::kProcessing, "processing"}, {EntryState::kCompleted, "completed"},
    {EntryState::kFailed, "failed"},         {EntryState::kRetrying, "retrying"},
};

struct BatchStatusText {
  BatchStatus status;
  std::string_view text;
};
constexpr BatchStatusText kBatchStatusTexts[] = {
    {BatchStatus::kRunning, "running"},     {BatchStatus::kCompleted, "completed"},
    {BatchStatus::kFailed, "failed"},       {BatchStatus::kInterrupted, "interrupted"},
    {BatchStatus::kCancelled, "cancelled"}, {BatchStatus::kUnknown, "unknown"},
};

}  // namespace

std::string_view EntryStateName(EntryState state) {
  for (const auto& [s, text] : kEntryStateTexts) {
    if (s == state) return text;
  }
  return "pending";
}

std::optional<EntryState> ParseEntryState(std::string_view text) {
  for (const auto& [s, name] : kEntryStateTexts) {
    if (name == text) return s;
  }
  return std::nullopt;
}

std::string_view BatchStatusName(BatchStatus status) {
  for (const auto& [s, text] : kBatchStatusTexts) {
    if (s == status) return text;
  }
  return "unknown";
}

BatchStatus ParseBatchStatus(std::string_view text) {
  for (const auto& [s, name] : kBatchStatusTexts) {
    if (name == text && s != BatchStatus::kUnknown) return s;
  }
  return BatchStatus::kUnknown;
}

}  // namespace cnake
