// Shared fixture of the reliability tests: the real client binary against the
// real reference server (or a hostile stand-in) on loopback, a fresh DuckDB
// file per test, and readers for the server's request log, the only ground
// truth for what went over the wire. Test-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "testing/child_process.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace cnake::reliability {

inline const std::string kClient = std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-client";
inline const std::string kServer = std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-server";
inline const std::string kProxy =
    std::string(CNAKE_BINARY_DIR) + "/tools/hostile_proxy/hostile_proxy";

// A scale knob for the soak script: CNAKE_TEST_SCALE=10 runs ten times the
// entries/rounds of the CI size. Always >= 1.
int Scale();

// One entry's row after a run (the client must not be running).
struct Row {
  std::string status;  // processing_status
  std::string python;  // python_entries.code, "" when none
  std::string request_id;
  std::string error_type;  // processing_errors.error_type, "" when none
  int error_rows = 0;      // number of processing_errors rows for the entry
};

// One line of the server's request log.
struct LogLine {
  nlohmann::json j;
  std::string endpoint;  // generate, status, results, health, other
  std::string source;    // the entry id (generate lines; status/results via request_id)
};

struct RunResult {
  int exit_code = -1;
  std::string out, err;
  long max_rss_kb = 0;  // peak resident set size of the client (wait4)
  // With a sampling interval: (seconds since start, RssAnon kB) while it ran.
  std::vector<std::pair<double, long>> anon_kb;
  // VmHWM kB (the peak so far) at the moment of each anon_kb sample, so the
  // moment of the peak is known.
  std::vector<long> peak_kb;
};

class ReliabilityTest : public ::testing::Test {
 protected:
  // The environment the client runs with: short timeouts and polls so every
  // case is quick, a high rate limit, the breaker at its default.
  std::map<std::string, std::string> Env(const std::string& url) const;
  testing::ProcessResult Client(std::vector<std::string> args, const std::string& url,
                                const std::map<std::string, std::string>& extra = {});
  // Runs the client and measures its peak RSS.
  // With `sample_every` > 0, also samples its anonymous memory (RunResult::anon_kb).
  RunResult ClientMeasured(std::vector<std::string> args, const std::string& url,
                           const std::map<std::string, std::string>& extra = {},
                           std::chrono::milliseconds sample_every = {});
  std::unique_ptr<testing::ChildProcess> Background(
      std::vector<std::string> args, const std::string& url,
      const std::map<std::string, std::string>& extra = {});

  std::string Db() const { return dir_.File("data.duckdb"); }
  std::string Log() const { return dir_.File("requests.jsonl"); }

  // Imports n distinct entries (the bundled samples, cycled) named entry-NNNNNN.
  void ImportEntries(int n);
  // Every entry with its state, result and errors.
  std::map<std::string, Row> Rows() const;
  // The first column of the first row of `sql`, "" for none or NULL.
  std::string Query(const std::string& sql) const;
  // The request log with each line attributed to its entry.
  std::vector<LogLine> ReadLog() const;
  // Every completed entry's python equals what the server sent for its job.
  void ExpectResultsMatchServerLog(const std::map<std::string, Row>& rows) const;
  // Each entry was posted under one Idempotency-Key and got at most one job,
  // exactly one when it completed.
  void ExpectOneKeyAndAtMostOneJobPerEntry() const;

  testing::TempDir dir_;
  // Leave polling at the defaults a user runs (Env sets short intervals).
  bool default_polling_ = false;
};

// Runs argv with env and returns exit code, output and the peak RSS.
RunResult RunMeasured(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env, const std::string& cwd,
                      std::chrono::milliseconds sample_every = {});

// SHA-256 of a file's bytes (hex), "" when it cannot be read.
std::string FileSha256(const std::string& path);

}  // namespace cnake::reliability
