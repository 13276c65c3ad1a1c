// The engine's side of its store (engine_fixture.h): a shared batch's rate
// share, submissions recorded apart from commits, and the end of the run
// prepared while the last jobs are out.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "engine/engine_fixture.h"

namespace cnake::engine {
namespace {

using api::Endpoint;
using test_support::EngineTest;
using test_support::Kind;
using test_support::KindName;

class EngineStoreTest : public EngineTest {};

// A runner of a shared batch: its session's renewals give it a share of the
// batch's rate. While the share is 0 (the other runners have not made room
// yet) it sends nothing, and renews every lease_retry until it gets one.
class SharedSession final : public WorkSession {
 public:
  SharedSession(std::unique_ptr<WorkSession> inner, std::function<double()> share)
      : inner_(std::move(inner)), share_(std::move(share)) {}
  Result<std::vector<Entry>> Lease(std::size_t limit) override { return inner_->Lease(limit); }
  Result<bool> Drained() override { return inner_->Drained(); }
  Status Commit(const WriteGroup& group) override { return inner_->Commit(group); }
  Result<LeaseState> Renew() override {
    ++renewals;
    LeaseState s;
    s.rate_share = share_();
    return s;
  }
  Status Release() override { return inner_->Release(); }
  Result<BatchCounts> Counts() override { return inner_->Counts(); }
  int renewals = 0;

 private:
  std::unique_ptr<WorkSession> inner_;
  std::function<double()> share_;
};

TEST_P(EngineStoreTest, ARunnerSendsNothingUntilItHasAShareOfTheRateAndThenUsesIt) {
  Seed(40);
  std::string batch = Claim(40);
  api_.sync = true;
  const TimePoint start = clock_.Now();
  SharedSession session(
      Work(batch), [&] { return clock_.Now() - start < std::chrono::seconds(5) ? 0.0 : 0.25; });
  std::vector<TimePoint> posts;
  transport_.SetHandler([&](const api::Request& req) {
    if (req.endpoint == Endpoint::kSubmit) posts.push_back(clock_.Now());
    return api_.Handle(req);
  });
  EngineOptions o = Options(batch);
  o.rate.requests_per_minute = 1200;  // a quarter: 300 rpm, burst 1
  o.rate.burst = 5;
  RunSummary r;
  {
    Engine engine(session, transport_, clock_, o);
    r = engine.Run(nullptr);
  }
  EXPECT_EQ(r.reason, StopReason::kFinished);
  ASSERT_EQ(posts.size(), 40u);
  EXPECT_GE(posts.front() - start, std::chrono::seconds(5)) << "nothing before the share";
  EXPECT_LE(posts.front() - start, std::chrono::seconds(6)) << "renewed every lease_retry";
  EXPECT_GE(session.renewals, 5);
  // 40 requests at 300 rpm with a burst of 1: 39 intervals of 200 ms.
  EXPECT_GE(posts.back() - posts.front(), std::chrono::milliseconds(39 * 200 - 5));
  EXPECT_LE(posts.back() - posts.front(), std::chrono::milliseconds(39 * 200 + 600));
}

// A store that records submissions apart from its commits (as the DuckDB
// file's submission log does): it notes what was recorded and committed.
class RecordingSession final : public WorkSession {
 public:
  explicit RecordingSession(std::unique_ptr<WorkSession> inner) : inner_(std::move(inner)) {}
  Result<std::vector<Entry>> Lease(std::size_t limit) override { return inner_->Lease(limit); }
  Result<bool> Drained() override { return inner_->Drained(); }
  Status Commit(const WriteGroup& group) override {
    ++commits;
    for (const Submitted& s : group.submitted) committed.insert(s.request_id);
    return inner_->Commit(group);
  }
  bool RecordsSubmissions() const override { return true; }
  Status RecordSubmissions(const std::vector<Submitted>& submissions) override {
    ++records;
    for (const Submitted& s : submissions) recorded.insert(s.request_id);
    return Status::Ok();
  }
  Result<LeaseState> Renew() override { return inner_->Renew(); }
  Status Release() override { return inner_->Release(); }
  Result<BatchCounts> Counts() override { return inner_->Counts(); }
  std::set<std::string> recorded, committed;
  int records = 0, commits = 0;

 private:
  std::unique_ptr<WorkSession> inner_;
};

// With such a store a job is polled once its request_id is recorded, without
// waiting for the commit that carries it, and the commits come by
// flush_count and flush_interval only: here one at the end.
TEST_P(EngineStoreTest, AJobIsPolledOnceItsRequestIdIsRecordedNotCommitted) {
  Seed(40);
  std::string batch = Claim(40);
  RecordingSession session(Work(batch));
  int polls = 0, unrecorded = 0, uncommitted = 0;
  transport_.SetHandler([&](const api::Request& req) {
    if (req.endpoint == Endpoint::kStatus || req.endpoint == Endpoint::kResult) {
      const std::string id = req.path.substr(req.path.rfind('/') + 1);
      ++polls;
      unrecorded += session.recorded.count(id) ? 0 : 1;
      uncommitted += session.committed.count(id) ? 0 : 1;
    }
    return api_.Handle(req);
  });
  EngineOptions o = Options(batch);
  o.flush_interval = std::chrono::hours(1);
  o.flush_count = 100000;
  RunSummary r;
  {
    Engine engine(session, transport_, clock_, o);
    r = engine.Run(nullptr);
  }
  EXPECT_EQ(r.reason, StopReason::kFinished);
  EXPECT_EQ(r.final.completed, 40);
  EXPECT_EQ(backend_->Results().size(), 40u);
  EXPECT_GE(polls, 40);  // each job is checked at least once
  EXPECT_EQ(unrecorded, 0) << "a job was polled before its request_id was durable";
  EXPECT_EQ(uncommitted, polls) << "a poll waited for a commit";
  EXPECT_EQ(session.recorded.size(), 40u);
  EXPECT_EQ(session.committed.size(), 40u) << "every submission is committed as well";
  EXPECT_LE(session.commits, 2);
  EXPECT_GE(session.records, 1);
}

// A store told when the runner has nothing left to submit (DuckDB then
// checkpoints while the last jobs are out), noting what had happened by then.
class ReleaseWatchingSession final : public WorkSession {
 public:
  ReleaseWatchingSession(std::unique_ptr<WorkSession> inner, const int* posts)
      : inner_(std::move(inner)), posts_(posts) {}
  Result<std::vector<Entry>> Lease(std::size_t limit) override { return inner_->Lease(limit); }
  Result<bool> Drained() override { return inner_->Drained(); }
  Status Commit(const WriteGroup& group) override {
    if (prepares > 0 && !RecordsSubmissions()) {
      submissions_after += static_cast<int>(group.submitted.size());
    }
    completions += static_cast<int>(group.completions.size());
    return inner_->Commit(group);
  }
  bool RecordsSubmissions() const override { return inner_->RecordsSubmissions(); }
  Status RecordSubmissions(const std::vector<Submitted>& submissions) override {
    if (prepares > 0) submissions_after += static_cast<int>(submissions.size());
    return inner_->RecordSubmissions(submissions);
  }
  Status PrepareForRelease() override {
    ++prepares;
    posts_then = *posts_;
    completions_then = completions;
    return inner_->PrepareForRelease();
  }
  Result<LeaseState> Renew() override { return inner_->Renew(); }
  Status Release() override { return inner_->Release(); }
  Result<BatchCounts> Counts() override { return inner_->Counts(); }
  int prepares = 0, posts_then = -1, completions = 0, completions_then = -1;
  int submissions_after = 0;  // request_ids recorded or committed after the call

 private:
  std::unique_ptr<WorkSession> inner_;
  const int* posts_;
};

// Once, after the last POST and while jobs are still out; with an
// asynchronous server only after the last request_id is durable, so no
// first poll waits behind it.
TEST_P(EngineStoreTest, TheStorePreparesForReleaseOnceNothingIsLeftToSubmit) {
  for (bool sync : {false, true}) {
    SCOPED_TRACE(sync ? "synchronous server" : "asynchronous server");
    const int before = static_cast<int>(backend_->Results().size());
    Seed(40, sync ? "s" : "a");
    std::string batch = Claim(40);
    api_.sync = sync;
    int posts = 0;
    transport_.SetHandler([&](const api::Request& req) {
      if (req.endpoint == Endpoint::kSubmit) ++posts;
      return api_.Handle(req);
    });
    ReleaseWatchingSession session(Work(batch), &posts);
    RunSummary r;
    {
      Engine engine(session, transport_, clock_, Options(batch));
      r = engine.Run(nullptr);
    }
    ASSERT_TRUE(session.Release().ok());
    EXPECT_EQ(r.reason, StopReason::kFinished);
    EXPECT_EQ(r.final.completed, 40);
    EXPECT_EQ(static_cast<int>(backend_->Results().size()) - before, 40);
    EXPECT_EQ(session.prepares, 1);
    EXPECT_EQ(session.posts_then, 40) << "called before the last POST";
    EXPECT_LT(session.completions_then, 40) << "called after the run was over";
    EXPECT_EQ(session.submissions_after, 0) << "a request_id waited behind it";
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineStoreTest, ::testing::Values(Kind::kDuckDb, Kind::kMemory),
                         KindName);

}  // namespace
}  // namespace cnake::engine
