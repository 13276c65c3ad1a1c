#include "cli/stranded.h"

#include <fmt/format.h>

#include <limits>
#include <ostream>

namespace cnake::cli {
namespace {

std::string FilterText(const EntryFilter& f) {
  std::string text;
  if (!f.tag.empty()) text += " --tag " + f.tag;
  if (!f.id_prefix.empty()) text += " --id-prefix " + f.id_prefix;
  return text.empty() ? text : text.substr(1);
}

}  // namespace

std::int64_t StrandedEntries(const std::vector<engine::StoppedBatch>& stopped) {
  std::int64_t n = 0;
  for (const engine::StoppedBatch& b : stopped) n += b.work.unfinished;
  return n;
}

void PrintStranded(std::ostream& out, const std::vector<engine::StoppedBatch>& stopped) {
  if (stopped.empty()) return;
  out << fmt::format(
      "{} unfinished entries belong to {} stopped batch(es), which `process` does "
      "not take:\n",
      StrandedEntries(stopped), stopped.size());
  for (const engine::StoppedBatch& b : stopped) {
    const BatchWork& w = b.work;
    out << fmt::format("  {} ({}, started {}): {} unfinished, {} with a job at the API\n",
                       w.batch.id, b.view.label, w.batch.started_at, w.unfinished,
                       w.with_request_id);
    out << "      cnake-charmer-client resume --batch-id " << w.batch.id << "\n";
  }
  out << "`resume --all` resumes every stopped batch; `process --adopt-stranded` takes their "
         "unfinished entries into a new batch (jobs already at the API are polled, not posted "
         "again).\n";
}

Result<std::string> NothingToProcessReason(Store& store, const ClaimOptions& claim,
                                           const std::vector<engine::StoppedBatch>& stopped) {
  if (!stopped.empty()) {
    return fmt::format(
        "no pending entry is free to claim; {} unfinished entries{} belong to "
        "stopped batches",
        StrandedEntries(stopped), FilterText(claim.filter).empty() ? "" : " that match");
  }
  CNAKE_ASSIGN_OR_RETURN(Statistics stats, store.queries().GetStatistics());
  if (stats.total_entries == 0)
    return std::string("the database has no entries; `import` adds some");
  const std::string filter = FilterText(claim.filter);
  if (!filter.empty()) {
    ClaimOptions any = claim;
    any.filter = {};
    any.limit = std::numeric_limits<std::int64_t>::max();
    CNAKE_ASSIGN_OR_RETURN(ClaimPreview unfiltered, store.PreviewClaim(any));
    if (unfiltered.count > 0) {
      return fmt::format("no pending entry matches {} ({} pending entries do not)", filter,
                         unfiltered.count);
    }
  }
  const std::int64_t completed = stats.by_state[EntryState::kCompleted];
  const std::int64_t failed = stats.by_state[EntryState::kFailed];
  if (!filter.empty()) return fmt::format("no pending entry matches {}", filter);
  return fmt::format("all {} entries are processed ({} completed, {} failed){}",
                     stats.total_entries, completed, failed,
                     failed > 0 && !claim.retry_failed
                         ? "; `process --retry-failed` submits the failed ones again"
                         : "");
}

}  // namespace cnake::cli
