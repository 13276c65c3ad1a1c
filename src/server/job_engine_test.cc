#include "server/job_engine.h"

#include <gtest/gtest.h>

#include <set>

namespace cnake::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::function<NewJob()> Job(Micros duration, JobFate fate = JobFate::kNormal) {
  return [=] {
    auto output = std::make_shared<JobOutput>();
    output->python = "x = 1\n";
    return NewJob{fate, duration, output};
  };
}

class JobEngineTest : public ::testing::Test {
 protected:
  std::string Submit(Micros d, JobFate fate = JobFate::kNormal) {
    auto r = engine.Submit(SubmitOptions{"", "h", "k"}, Job(d, fate));
    EXPECT_TRUE(r.ok());
    return r->job.request_id;
  }
  JobSnapshot Status(const std::string& id) {
    auto s = engine.Observe(id, LookupKind::kStatus);
    EXPECT_TRUE(s.has_value());
    return s.value_or(JobSnapshot{});
  }
  FakeClock clock;
  JobEngine engine{JobEngine::Options{2, seconds(60)}, &clock};
};

TEST_F(JobEngineTest, ZeroDelayJobIsCompletedAtOnce) {
  const std::string id = Submit(Micros(0));
  EXPECT_EQ(Status(id).state, JobState::kCompleted);
  EXPECT_FALSE(Status(id).eta_seconds.has_value());
}

TEST_F(JobEngineTest, RequestIdsAreUniqueUuids) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(Submit(Micros(0)));
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(ids.begin()->size(), 36u);
  EXPECT_EQ((*ids.begin())[14], '4');
}

TEST_F(JobEngineTest, CapacityQueuesJobsAndEtaFollowsQueuePosition) {
  // Capacity 2, each job 1 s: jobs 1-2 run now, 3-4 wait for them.
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Submit(seconds(1)));
  EXPECT_EQ(Status(ids[0]).state, JobState::kProcessing);
  EXPECT_EQ(Status(ids[1]).state, JobState::kProcessing);
  const JobSnapshot third = Status(ids[2]);
  EXPECT_EQ(third.state, JobState::kPending);
  ASSERT_TRUE(third.eta_seconds.has_value());
  EXPECT_DOUBLE_EQ(*third.eta_seconds, 2.0);
  EXPECT_DOUBLE_EQ(*Status(ids[0]).eta_seconds, 1.0);

  clock.Advance(milliseconds(1500));
  EXPECT_EQ(Status(ids[0]).state, JobState::kCompleted);
  const JobSnapshot running = Status(ids[2]);
  EXPECT_EQ(running.state, JobState::kProcessing);
  EXPECT_DOUBLE_EQ(*running.progress, 50.0);
  EXPECT_DOUBLE_EQ(*running.eta_seconds, 0.5);

  clock.Advance(milliseconds(500));
  EXPECT_EQ(Status(ids[3]).state, JobState::kCompleted);
}

TEST_F(JobEngineTest, FinishedJobsAreForgottenAfterRetention) {
  const std::string id = Submit(seconds(1));
  clock.Advance(seconds(60));
  EXPECT_TRUE(engine.Observe(id, LookupKind::kStatus).has_value());
  clock.Advance(seconds(1));
  EXPECT_FALSE(engine.Observe(id, LookupKind::kStatus).has_value());
  EXPECT_FALSE(engine.CountAttempt(id, LookupKind::kStatus).has_value());
  EXPECT_EQ(engine.Stats().jobs_forgotten, 1u);
}

TEST_F(JobEngineTest, SameIdempotencyKeyAndBodyReturnsTheSameJob) {
  int made = 0;
  auto make = [&] {
    ++made;
    return Job(Micros(0))();
  };
  auto first = engine.Submit(SubmitOptions{"key-1", "body-a", "idem:key-1"}, make);
  auto again = engine.Submit(SubmitOptions{"key-1", "body-a", "idem:key-1"}, make);
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_TRUE(first->created);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(first->job.request_id, again->job.request_id);
  EXPECT_EQ(made, 1);
  EXPECT_EQ(engine.Stats().idempotent_replays, 1u);

  auto conflict = engine.Submit(SubmitOptions{"key-1", "body-b", "idem:key-1"}, make);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(made, 1);
}

TEST_F(JobEngineTest, IdempotencyKeyIsFreedWhenItsJobIsForgotten) {
  auto first = engine.Submit(SubmitOptions{"k", "a", "idem:k"}, Job(Micros(0)));
  clock.Advance(seconds(61));
  auto second = engine.Submit(SubmitOptions{"k", "b", "idem:k"}, Job(Micros(0)));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->created);
  EXPECT_NE(first->job.request_id, second->job.request_id);
}

TEST_F(JobEngineTest, OutstandingEndsWhenResultsAreServedOrJobFails) {
  const std::string c = Submit(Micros(0));
  const std::string a = Submit(seconds(1));
  const std::string b = Submit(seconds(1), JobFate::kFails);
  EXPECT_EQ(engine.Stats().outstanding_jobs, 3);
  // Results of an unfinished job do not end it.
  engine.Observe(a, LookupKind::kResults);
  EXPECT_EQ(engine.Stats().outstanding_jobs, 3);
  engine.Observe(c, LookupKind::kResults);
  EXPECT_EQ(engine.Stats().outstanding_jobs, 2);
  clock.Advance(seconds(1));
  EXPECT_EQ(Status(b).state, JobState::kFailed);
  EXPECT_EQ(engine.Stats().outstanding_jobs, 1);
  engine.Observe(a, LookupKind::kResults);
  engine.Observe(a, LookupKind::kResults);  // a second fetch changes nothing
  EXPECT_EQ(engine.Stats().outstanding_jobs, 0);
  EXPECT_EQ(engine.Stats().max_outstanding_jobs, 3);
}

TEST_F(JobEngineTest, NeverCompletingJobStaysProcessing) {
  const std::string id = Submit(milliseconds(10), JobFate::kNeverCompletes);
  clock.Advance(seconds(30));
  const JobSnapshot s = Status(id);
  EXPECT_EQ(s.state, JobState::kProcessing);
  EXPECT_FALSE(s.eta_seconds.has_value());
}

TEST_F(JobEngineTest, AttemptsAreCountedPerJobAndKind) {
  auto r = engine.Submit(SubmitOptions{"", "h", "body:h"}, Job(Micros(0)));
  const std::string id = r->job.request_id;
  EXPECT_EQ(engine.CountAttempt(id, LookupKind::kStatus)->number, 1u);
  EXPECT_EQ(engine.CountAttempt(id, LookupKind::kStatus)->number, 2u);
  EXPECT_EQ(engine.CountAttempt(id, LookupKind::kResults)->number, 1u);
  EXPECT_EQ(engine.CountAttempt(id, LookupKind::kResults)->fault_key, "body:h");
  EXPECT_FALSE(engine.CountAttempt("nope", LookupKind::kStatus).has_value());
}

TEST_F(JobEngineTest, ResetDropsJobsAndStatistics) {
  const std::string id = Submit(Micros(0));
  engine.Reset();
  EXPECT_FALSE(engine.Observe(id, LookupKind::kStatus).has_value());
  EXPECT_EQ(engine.Stats().jobs_created, 0u);
  EXPECT_EQ(engine.Stats().max_outstanding_jobs, 0);
}

}  // namespace
}  // namespace cnake::server
