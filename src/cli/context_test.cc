#include "cli/context.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cnake::cli {
namespace {

struct Captured {
  int code = 0;
  std::string err;
};

Captured FailWith(const Status& status, const std::string& memory_limit = "64MB") {
  std::ostringstream out, err;
  Context ctx{.out = &out, .err = &err};
  ctx.loaded.config.duckdb.memory_limit = memory_limit;
  Captured c;
  c.code = Fail(ctx, status);
  c.err = err.str();
  return c;
}

TEST(FailTest, OutOfMemoryNamesTheConfigKeyInsteadOfDuckdbsSqlAdvice) {
  Captured c = FailWith(Status(StatusCode::kOutOfMemory,
                               "statement failed: Out of Memory Error: failed to pin block of "
                               "size 256.0 KiB (30.3 MiB/30.5 MiB used)\n\nPossible solutions:\n"
                               "* Increasing the memory limit (SET memory_limit='...GB')"),
                        "32MB");
  EXPECT_EQ(c.code, kExitDatabase);
  EXPECT_NE(c.err.find("error: statement failed: Out of Memory Error: failed to pin block of size "
                       "256.0 KiB (30.3 MiB/30.5 MiB used)\n"),
            std::string::npos)
      << c.err;
  EXPECT_NE(c.err.find("duckdb.memory_limit (32MB)"), std::string::npos) << c.err;
  EXPECT_NE(c.err.find("CNAKE_DUCKDB_MEMORY_LIMIT"), std::string::npos) << c.err;
  EXPECT_EQ(c.err.find("SET memory_limit"), std::string::npos) << c.err;
}

TEST(FailTest, OtherErrorsAreShownWhole) {
  Captured c = FailWith(Status(StatusCode::kDatabase, "line one\nline two"));
  EXPECT_EQ(c.err, "error: line one\nline two\n");
  EXPECT_EQ(FailWith(NotFound("no batch x")).code, kExitUsage);
}

TEST(FailTest, LockedMessageNamesHolderAndAdvice) {
  Status st(
      StatusCode::kLocked,
      "IO Error: Could not set lock on file \"x\": Conflicting lock is held in /usr/bin/duckdb "
      "(PID 77) by user me.");
  std::string msg = LockedMessage("x.duckdb", st);
  EXPECT_NE(msg.find("PID 77"), std::string::npos);
  EXPECT_NE(msg.find("not cnake-charmer-client"), std::string::npos);
}

}  // namespace
}  // namespace cnake::cli
