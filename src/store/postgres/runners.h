// The runner registry (table cnake_runners): who works on a batch, their
// heartbeats and lease expiry, and the handshake that shares one rate limit
// among them (docs/scale-out.md, "One rate limit for the batch").
//
// Each runner registers with a join number, one more than the batch's
// highest so far, and records on every renewal the highest join number it
// has counted (seen_seq). A runner may send only once every other live runner
// has counted it (their seen_seq >= its join number): by then each of them
// has lowered its own share to 1 / live runners, so the shares never add up
// to more than the batch's rate. Registrations and renewals of one batch
// take a transaction-scoped advisory lock, so join numbers follow commit
// order and a renewal counts every runner whose registration committed
// before it.
//
// A runner is live while its expires_at (its last heartbeat plus its lease
// time, on the database's clock) lies ahead; the entries it holds are leased
// exactly as long.
//
// Thread safety: each function uses the connection it is given.
#pragma once

#include <string>
#include <vector>

#include "store/postgres/pg.h"
#include "store/store.h"

namespace cnake::pg {

struct RunnerTiming {
  double lease_seconds = 30;
  double renew_seconds = 5;
};

// Adds the runner to the batch's registry (its own transaction).
Status RegisterRunner(Connection& conn, const std::string& batch_id, const RunnerInfo& runner,
                      const RunnerTiming& timing);

struct Renewal {
  bool registered = false;  // false: the row is gone (register again)
  bool cancelled = false;
  bool admitted = false;  // every other live runner has counted this one
  std::int64_t live = 0;  // live runners of the batch, this one included
};
// Heartbeat: extends the runner's lease, counts the live runners and records
// that it has (its own transaction).
Result<Renewal> RenewRunner(Connection& conn, const std::string& batch_id,
                            const std::string& runner_id, const RunnerTiming& timing);

// Removes the runner and gives back the entries it held.
Status RemoveRunner(Connection& conn, const std::string& entries_table, const std::string& batch_id,
                    const std::string& runner_id);

// The batch's live runners, oldest first, with the entries each holds.
Result<std::vector<RunnerStatus>> LiveRunners(Connection& conn, const std::string& entries_table,
                                              const std::string& batch_id);

}  // namespace cnake::pg
