#include "store/transfer.h"

#include "store/store.h"

namespace cnake {

Result<TransferTotals> CopyStore(Store& from, Store& to) {
  TransferTotals totals;
  CNAKE_RETURN_IF_ERROR(from.ReadAll([&](const TransferChunk& chunk) -> Status {
    CNAKE_RETURN_IF_ERROR(to.WriteAll(chunk));
    totals.entries += static_cast<std::int64_t>(chunk.entries.size());
    totals.results += static_cast<std::int64_t>(chunk.results.size());
    totals.batches += static_cast<std::int64_t>(chunk.batches.size());
    totals.errors += static_cast<std::int64_t>(chunk.errors.size());
    totals.requests += static_cast<std::int64_t>(chunk.requests.size());
    return Status::Ok();
  }));
  return totals;
}

}  // namespace cnake
