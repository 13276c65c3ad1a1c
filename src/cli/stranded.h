// What `process` says about work it cannot take: unfinished entries that
// belong to stopped batches (interrupted, cancelled, failed, or running with
// their runner gone), with the command that resumes each; and why a claim
// found nothing to process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "engine/batch_lifecycle.h"
#include "store/store.h"

namespace cnake::cli {

// The stopped batches' unfinished entries, one batch a line with its
// `resume` command, and the two ways to take them. Nothing when empty.
void PrintStranded(std::ostream& out, const std::vector<engine::StoppedBatch>& stopped);

// Why a claim with `claim` found nothing: entries stranded in stopped
// batches, an empty database, a filter nothing matches, or nothing left
// pending. One line, without the "nothing to process: " in front.
Result<std::string> NothingToProcessReason(Store& store, const ClaimOptions& claim,
                                           const std::vector<engine::StoppedBatch>& stopped);

// The number of unfinished entries in `stopped`.
std::int64_t StrandedEntries(const std::vector<engine::StoppedBatch>& stopped);

}  // namespace cnake::cli
