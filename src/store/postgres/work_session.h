// PostgresWorkSession: one runner's work on one batch of a shared
// PostgreSQL database (store/store.h), on its own connection.
//
// Leases: Lease() takes unfinished entries of the batch that nobody holds,
// or whose holder's lease lapsed (its cnake_runners row expired), with
// SELECT ... FOR UPDATE SKIP LOCKED, so runners leasing at the same moment
// never wait for each other or take the same entry. Stored request_ids come
// first. An entry is held as long as its holder renews (Renew(), the
// heartbeat); a runner that stops renewing loses every entry at once.
//
// Commits apply only to entries this runner holds (or nobody holds): one
// that lost an entry to another runner cannot finish it a second time.
//
// Outages: when the connection is lost (a PostgreSQL restart, a network
// cut), every operation reconnects with backoff (0.1 s doubling to 2 s) and
// runs again, for as long as this runner's lease may still be valid; after
// that it fails (the engine stops; other runners have taken over). A commit
// whose outcome the lost connection hid is looked up (cnake_runners.
// last_commit) before it runs again, so it never applies twice.
//
// Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "store/postgres/pg.h"
#include "store/postgres/runners.h"
#include "store/store.h"
#include "util/clock.h"

namespace cnake::pg {

struct SessionOptions {
  std::string url;
  TableNames tables;
  std::string batch_id;
  RunnerInfo runner;
  Duration lease_time = std::chrono::seconds(30);
  Duration renew_interval = std::chrono::seconds(2);
};

class PostgresWorkSession final : public WorkSession {
 public:
  // Connects and registers the runner. `clock` (local time for the lease
  // bookkeeping; the database's clock decides expiry) must outlive it.
  static Result<std::unique_ptr<WorkSession>> Open(SessionOptions options, Clock& clock);

  Result<std::vector<Entry>> Lease(std::size_t limit) override;
  Result<bool> Drained() override;
  Status Commit(const WriteGroup& group) override;
  Result<LeaseState> Renew() override;
  Status Release() override;
  Result<BatchCounts> Counts() override;

 private:
  PostgresWorkSession(SessionOptions options, Clock& clock, Connection conn);
  // Runs `op` and, when it lost the connection, reconnects and runs it again
  // until it succeeds, fails otherwise, or the lease may have lapsed.
  template <typename Op>
  auto Retrying(const char* what, Op op) -> decltype(op());
  Status Reconnect(const Status& cause);
  Result<std::vector<Entry>> LeasePass(bool with_request_id, std::size_t limit,
                                       const std::string& as_of);
  Status CommitOnce(const WriteGroup& group);
  RunnerTiming Timing() const;

  SessionOptions options_;
  Clock& clock_;
  Connection conn_;
  std::set<std::string> handed_out_;  // leased to the engine and not final yet
  std::int64_t commit_seq_ = 0;
  TimePoint lease_valid_until_{};  // local: when the last renewal's lease may lapse
};

}  // namespace cnake::pg
