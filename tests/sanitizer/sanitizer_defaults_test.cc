// The sanitizer options of cmake/asan_defaults.cc reach a child process that
// is started with an exact (here: empty) environment, as the integration
// tests start the client and the reference server.
#include <gtest/gtest.h>
#include <signal.h>

#include "testing/subprocess.h"

namespace cnake {
namespace {

const std::string kProbe = std::string(CNAKE_BINARY_DIR) + "/tests/sanitizer/sanitizer_probe";

TEST(SanitizerDefaultsTest, AsanReportAbortsAChildWithoutAsanOptions) {
  testing::ProcessResult r = testing::RunProcess({kProbe, "use-after-free"}, {});
  // abort_on_error=1: SIGABRT, not ASan's default exit code 1.
  EXPECT_EQ(r.exit_code, 128 + SIGABRT) << r.err;
  EXPECT_NE(r.err.find("heap-use-after-free"), std::string::npos) << r.err;
}

TEST(SanitizerDefaultsTest, UbsanReportHasAStackTraceInAChildWithoutUbsanOptions) {
  testing::ProcessResult r = testing::RunProcess({kProbe, "overflow"}, {});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_NE(r.err.find("signed integer overflow"), std::string::npos) << r.err;
  // print_stacktrace=1: the report names the function the overflow is in.
  EXPECT_NE(r.err.find("SignedOverflow"), std::string::npos) << r.err;
}

TEST(SanitizerDefaultsTest, ProbeRunsCleanWithoutAnError) {
  testing::ProcessResult r = testing::RunProcess({kProbe, "none"}, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace cnake
