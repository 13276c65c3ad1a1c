#include "store/types.h"

namespace cnake {

void BatchCounts::Add(EntryState state, std::int64_t n) {
  total += n;
  switch (state) {
    case EntryState::kPending:
      pending += n;
      break;
    case EntryState::kSubmitted:
      submitted += n;
      break;
    case EntryState::kProcessing:
      processing += n;
      break;
    case EntryState::kRetrying:
      retrying += n;
      break;
    case EntryState::kCompleted:
      completed += n;
      break;
    case EntryState::kFailed:
      failed += n;
      break;
  }
}

std::int64_t BatchCounts::Of(EntryState state) const {
  switch (state) {
    case EntryState::kPending:
      return pending;
    case EntryState::kSubmitted:
      return submitted;
    case EntryState::kProcessing:
      return processing;
    case EntryState::kRetrying:
      return retrying;
    case EntryState::kCompleted:
      return completed;
    case EntryState::kFailed:
      return failed;
  }
  return 0;
}

}  // namespace cnake
