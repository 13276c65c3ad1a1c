// The API key never leaks. A whole batch runs against the reference server
// (which requires the key) with a random canary as the key, HTTP tracing on
// and JSON logs to a file; then every report is produced. The canary must not
// appear in stdout, stderr, the log files, any report, any column of any
// table, the WAL, the run file or the client's command line. Also checks
// that every JSON log line is valid JSON and that log lines about an entry
// carry its batch.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "control/control_server.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/child_process.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::ChildProcess;
using testing::ProcessResult;
using testing::ReferenceServer;

const std::string kClient = std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-client";
const std::string kSamples = std::string(CNAKE_SOURCE_DIR) + "/samples/cython";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string RandomHex(int n) {
  std::random_device rd;
  std::string s;
  for (int i = 0; i < n; ++i) s += "0123456789abcdef"[rd() % 16];
  return s;
}

class CanaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    canary_ = "cnk-canary-" + RandomHex(32);
    // A fragment too: a truncated or partly redacted key would still leak it.
    fragment_ = canary_.substr(11, 12);
  }
  std::map<std::string, std::string> Env(const std::string& url) {
    return {{"HOME", dir_.path().string()},
            {"PATH", "/usr/bin:/bin"},
            {"CNAKE_API_KEY", canary_},
            {"CNAKE_API_BASE_URL", url},
            {"CNAKE_DUCKDB_DB_PATH", Db()},
            {"CNAKE_PROCESSING_POLL_INTERVAL", "0.05"},
            {"CNAKE_PROCESSING_MAX_POLL_INTERVAL", "0.3"},
            {"CNAKE_API_RETRY_DELAY", "0.05"},
            {"CNAKE_API_MAX_RETRY_DELAY", "1"},
            {"CNAKE_API_MAX_RETRIES", "4"},
            {"CNAKE_PROCESSING_SHUTDOWN_GRACE", "1"},
            {"CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE", "60000"},
            {"CNAKE_PROCESSING_RATE_LIMIT_BURST", "50"}};
  }
  std::string Db() const { return dir_.File("data.duckdb"); }

  // Records where the canary (or its fragment) appears.
  void Scan(const std::string& what, const std::string& bytes) {
    ++scanned_;
    if (bytes.find(canary_) != std::string::npos) leaks_.push_back(what + " (whole key)");
    if (bytes.find(fragment_) != std::string::npos) leaks_.push_back(what + " (fragment)");
  }

  std::string canary_, fragment_;
  std::vector<std::string> leaks_;
  int scanned_ = 0;
  testing::TempDir dir_;
};

TEST_F(CanaryTest, TheApiKeyAppearsNowhere) {
  ReferenceServer server({"--delay", "fixed:100ms", "--seed", "9"},
                         {{"CNAKE_SERVER_API_KEY", canary_}});
  ASSERT_EQ(server.SetScenario(R"({"endpoints": {"generate": {"500": 0.2, "job_failed": 0.1},
                                  "status": {"429": 0.1, "malformed_json": 0.05}},
                                  "params": {"retry_after_s": 1, "retry_after_form": "seconds"}})"),
            200);
  // Entries.
  std::ofstream entries(dir_.File("entries.jsonl"));
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(kSamples)) {
    if (e.path().extension() != ".pyx" || n >= 24) continue;
    entries << json{{"id", "entry-" + std::to_string(n++)}, {"code", ReadFile(e.path().string())}}
                   .dump()
            << "\n";
  }
  entries.close();
  ASSERT_GT(n, 5);
  auto env = Env(server.url());
  ProcessResult imported =
      testing::RunProcess({kClient, "import", dir_.File("entries.jsonl")}, env, dir_.path());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  // The batch, with everything that could print the key switched on.
  const std::string log_file = dir_.File("client.log");
  ChildProcess child(
      {kClient, "--log-file", log_file, "--log-format", "json", "--log-level", "debug", "process",
       "--batch-size", "100", "--max-concurrent", "4", "--verbose-http", "--progress", "json"},
      env, dir_.File("client.out"), dir_.File("client.err"), dir_.path().string());
  // While it runs: its command line, environment (positive control), run file and WAL.
  std::string run_file, cmdline, environ_bytes, wal;
  for (int i = 0; i < 400; ++i) {
    int code;
    if (child.TryWait(&code)) break;
    const std::string proc = "/proc/" + std::to_string(child.pid());
    // Between fork and exec /proc shows the test itself: wait for the client.
    if (cmdline.find("process") == std::string::npos) {
      cmdline = ReadFile(proc + "/cmdline");
      environ_bytes = ReadFile(proc + "/environ");
    }
    if (run_file.empty()) run_file = ReadFile(control::RunFilePath(Db()));
    if (fs::exists(Db() + ".wal")) wal += ReadFile(Db() + ".wal");
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  const int exit_code = child.Wait();
  ASSERT_TRUE(exit_code == 0 || exit_code == 1) << ReadFile(dir_.File("client.err"));
  ASSERT_FALSE(run_file.empty()) << "the run file was never seen";
  ASSERT_NE(cmdline.find("--verbose-http"), std::string::npos) << "never saw the client's cmdline";
  // Positive control: the search finds the key where it must be.
  ASSERT_NE(environ_bytes.find(canary_), std::string::npos);

  Scan("run file", run_file);
  Scan("/proc/<pid>/cmdline", cmdline);
  Scan("WAL during the run", wal);
  Scan("stdout", ReadFile(dir_.File("client.out")));
  const std::string err = ReadFile(dir_.File("client.err"));
  Scan("stderr", err);
  ASSERT_NE(err.find("Authorization"), std::string::npos)
      << "--verbose-http printed no request headers, so the test checks nothing there";

  // Every report, to files and to stdout.
  for (const std::string type : {"summary", "detailed", "errors"}) {
    for (const std::string format : {"json", "md", "html", "csv"}) {
      const std::string file = dir_.File("report-" + type + "." + format);
      ProcessResult r = testing::RunProcess(
          {kClient, "report", "--type", type, "--format", format, "-o", file}, env, dir_.path());
      ASSERT_EQ(r.exit_code, 0) << r.err;
      Scan(file, ReadFile(file));
      Scan(type + "/" + format + " stderr", r.err);
      r = testing::RunProcess({kClient, "report", "--type", type, "--format", format}, env,
                              dir_.path());
      Scan(type + "/" + format + " stdout", r.out);
    }
  }
  for (const std::string cmd : {"stats", "config"}) {
    std::vector<std::string> args = {kClient, cmd};
    if (cmd == "config") args.push_back("show");
    ProcessResult r = testing::RunProcess(args, env, dir_.path());
    Scan(cmd + " output", r.out + r.err);
  }

  // Every column of every table, as text.
  {
    auto store = DuckDbStore::Open({Db(), {}, {}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    const std::string export_dir = dir_.File("export");
    ASSERT_TRUE(
        (*store)->connection().Execute("EXPORT DATABASE '" + export_dir + "' (FORMAT CSV)").ok());
    int files = 0;
    for (const auto& f : fs::directory_iterator(export_dir)) {
      Scan("export " + f.path().filename().string(), ReadFile(f.path().string()));
      ++files;
    }
    EXPECT_GE(files, 6);  // schema, load and the tables
  }
  Scan("database file", ReadFile(Db()));
  if (fs::exists(Db() + ".wal")) Scan("WAL after exit", ReadFile(Db() + ".wal"));

  // The log files (with rotations).
  // Every line valid JSON (messages may hold quotes, backslashes and, from
  // --verbose-http, newlines), and every line about an entry names its batch.
  int log_lines = 0, entry_lines = 0, invalid_lines = 0;
  std::string first_invalid;
  for (const auto& f : fs::directory_iterator(dir_.path())) {
    if (f.path().filename().string().rfind("client", 0) != 0 ||
        f.path().string().find(".log") == std::string::npos) {
      continue;
    }
    const std::string text = ReadFile(f.path().string());
    Scan(f.path().filename().string(), text);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      ++log_lines;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("msg") || !j.contains("level") ||
          !j.contains("time")) {
        if (invalid_lines++ == 0) first_invalid = line;
        continue;
      }
      const std::string msg = j["msg"];
      if (msg.find("entry=") != std::string::npos) {
        ++entry_lines;
        EXPECT_NE(msg.find("batch="), std::string::npos) << "entry line without batch: " << line;
      }
    }
  }
  EXPECT_GT(log_lines, 0);
  EXPECT_EQ(invalid_lines, 0) << "of " << log_lines << " lines; the first: " << first_invalid;
  EXPECT_GT(entry_lines, 0) << "no log line about an entry at debug level";

  EXPECT_GT(scanned_, 30);
  EXPECT_TRUE(leaks_.empty()) << "the API key leaked into: " << json(leaks_).dump(1);
}

}  // namespace
}  // namespace cnake
