// Work that stopped batches hold (issue 21, items 1 and 5): a batch whose
// runner was killed shows as interrupted (runner gone); `process` says where
// the stranded entries are and creates no batch when it finds nothing;
// `process --adopt-stranded` takes them without paying twice; `resume --all`
// resumes every stopped batch.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "client_fixture.h"

namespace cnake {
namespace {

using nlohmann::json;
using testing::ProcessResult;
using testing::ReferenceServer;

class StrandedTest : public ClientTest {
 protected:
  // `process` killed (as by kill -9) right after its n-th submission was
  // answered, before its request_id was committed.
  ProcessResult KilledProcess(const std::string& url, int batch_size, int nth_submission) {
    return Client(
        {"process", "--batch-size", std::to_string(batch_size), "--max-concurrent", "2",
         "--progress", "none"},
        url, {{"CNAKE_CRASH_AT", "before_request_id_commit:" + std::to_string(nth_submission)}});
  }
  // Every entry was submitted under one Idempotency-Key, and the server
  // created one job for it: nothing was paid twice.
  void ExpectOneKeyAndOneJobPerEntry(std::size_t entries) {
    const auto posts = PostsPerEntry();
    EXPECT_EQ(posts.size(), entries);
    for (const auto& [entry, p] : posts) {
      EXPECT_EQ(p.keys.size(), 1u) << entry;
      EXPECT_EQ(p.jobs_created, 1) << entry;
    }
  }
};

TEST_F(StrandedTest, AKilledRunIsRunnerGoneAndItsEntriesAreAdoptedWithoutPayingTwice) {
  ReferenceServer server({"--delay", "fixed:200ms", "--capacity", "4", "--request-log", Log()});
  ImportEntries(10);
  ProcessResult killed = KilledProcess(server.url(), 10, 3);
  ASSERT_EQ(killed.exit_code, 128 + SIGKILL) << killed.err;
  const std::string batch = Query("SELECT id FROM batch_jobs");
  ASSERT_EQ(Query("SELECT status FROM batch_jobs"), "running");  // as the killed run left it
  std::filesystem::remove(Db() + ".run");

  ProcessResult stats = Client({"stats", "--json"}, server.url());
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  const json recent = json::parse(stats.out)["recent_batches"].at(0);
  EXPECT_EQ(recent["status"], "interrupted");
  EXPECT_EQ(recent["runner_gone"], true);
  ProcessResult stats_text = Client({"stats"}, server.url());
  EXPECT_NE(stats_text.out.find("interrupted (runner gone)"), std::string::npos) << stats_text.out;
  ProcessResult status = Client({"status", "--batch-id", batch}, server.url());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("batch " + batch + " (interrupted (runner gone))"), std::string::npos)
      << status.out;
  ProcessResult status_json = Client({"status", "--batch-id", batch, "--json"}, server.url());
  EXPECT_EQ(json::parse(status_json.out)["state"], "interrupted");
  EXPECT_EQ(json::parse(status_json.out)["runner_gone"], true);

  // Every pending entry belongs to the dead batch: `process` says so, with
  // the command, and creates no batch.
  ProcessResult nothing = Client({"process"}, server.url());
  EXPECT_EQ(nothing.exit_code, 0) << nothing.err;
  EXPECT_NE(nothing.out.find("nothing to process: no pending entry is free to claim; 10 "
                             "unfinished entries belong to stopped batches; no batch was created"),
            std::string::npos)
      << nothing.out;
  EXPECT_NE(nothing.out.find(batch + " (interrupted (runner gone), started "), std::string::npos)
      << nothing.out;
  EXPECT_NE(nothing.out.find("cnake-charmer-client resume --batch-id " + batch), std::string::npos)
      << nothing.out;
  EXPECT_NE(nothing.out.find("--adopt-stranded"), std::string::npos) << nothing.out;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "1");
  ProcessResult dry = Client({"process", "--dry-run"}, server.url());
  EXPECT_NE(dry.out.find("would claim 0 entries"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("cnake-charmer-client resume --batch-id " + batch), std::string::npos)
      << dry.out;
  ProcessResult dry_adopt = Client({"process", "--dry-run", "--adopt-stranded"}, server.url());
  EXPECT_NE(dry_adopt.out.find("would adopt 10 unfinished entries of stopped batches, would "
                               "claim 0 entries"),
            std::string::npos)
      << dry_adopt.out;

  // Adopted: jobs at the API are polled, and a POST the killed run got an
  // answer to but never committed is repeated under the same key.
  ProcessResult adopted = Client({"process", "--adopt-stranded"}, server.url());
  ASSERT_EQ(adopted.exit_code, 0) << adopted.out << adopted.err;
  EXPECT_NE(adopted.err.find("adopted 10 unfinished entries of stopped batches"), std::string::npos)
      << adopted.err;
  EXPECT_NE(adopted.out.find("10 completed, 0 failed"), std::string::npos) << adopted.out;
  ExpectOneKeyAndOneJobPerEntry(10);
  ExpectResultsMatchServerLog(Rows());
  EXPECT_EQ(
      Query("SELECT status || '|' || total_entries FROM batch_jobs WHERE id = '" + batch + "'"),
      "completed|0");
}

TEST_F(StrandedTest, ResumeAllResumesEveryStoppedBatchOldestFirst) {
  ReferenceServer server({"--delay", "fixed:100ms", "--capacity", "4", "--request-log", Log()});
  ImportEntries(6);
  ASSERT_EQ(KilledProcess(server.url(), 3, 2).exit_code, 128 + SIGKILL);
  const std::string first = Query("SELECT id FROM batch_jobs");
  std::filesystem::remove(Db() + ".run");
  // The next `process` takes the free entries and says where the others are.
  ProcessResult second_run = KilledProcess(server.url(), 3, 2);
  ASSERT_EQ(second_run.exit_code, 128 + SIGKILL) << second_run.err;
  EXPECT_NE(second_run.err.find("note: 3 unfinished entries belong to 1 stopped batch(es)"),
            std::string::npos)
      << second_run.err;
  std::filesystem::remove(Db() + ".run");
  const std::string second = Query("SELECT id FROM batch_jobs WHERE id <> '" + first + "'");
  ASSERT_FALSE(second.empty());

  ProcessResult all = Client({"resume", "--all", "--progress", "none"}, server.url());
  ASSERT_EQ(all.exit_code, 0) << all.out << all.err;
  EXPECT_NE(
      all.err.find("resume --all: 2 stopped batch(es), oldest first: " + first + ", " + second),
      std::string::npos)
      << all.err;
  EXPECT_EQ(Query("SELECT string_agg(status, ',') FROM batch_jobs"), "completed,completed");
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM python_entries"), "6");
  ExpectOneKeyAndOneJobPerEntry(6);

  ProcessResult again = Client({"resume", "--all"}, server.url());
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to resume"), std::string::npos) << again.out;
  ProcessResult neither = Client({"resume"}, server.url());
  EXPECT_EQ(neither.exit_code, 2) << neither.err;
  EXPECT_NE(neither.err.find("--batch-id B (one batch) or --all"), std::string::npos)
      << neither.err;
}

TEST_F(StrandedTest, AClaimThatFindsNothingCreatesNoBatchAndSaysWhy) {
  ReferenceServer server({"--mode", "sync"});
  ASSERT_EQ(Client({"init"}, server.url()).exit_code, 0);
  ProcessResult empty = Client({"process"}, server.url());
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("nothing to process: the database has no entries; `import` adds some; "
                           "no batch was created"),
            std::string::npos)
      << empty.out;
  ImportEntries(2);
  ProcessResult unmatched = Client({"process", "--tag", "no-such-tag"}, server.url());
  EXPECT_EQ(unmatched.exit_code, 0) << unmatched.err;
  EXPECT_NE(unmatched.out.find("nothing to process: no pending entry matches --tag no-such-tag "
                               "(2 pending entries do not)"),
            std::string::npos)
      << unmatched.out;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "0");
  ASSERT_EQ(Client({"process"}, server.url()).exit_code, 0);
  ProcessResult done = Client({"process"}, server.url());
  EXPECT_NE(
      done.out.find("nothing to process: all 2 entries are processed (2 completed, 0 failed)"),
      std::string::npos)
      << done.out;
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM batch_jobs"), "1");
}

}  // namespace
}  // namespace cnake
