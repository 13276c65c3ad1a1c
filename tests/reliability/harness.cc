#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/duckdb/duckdb_store.h"
#include "util/sha256.h"

namespace cnake::reliability {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string EndpointOf(const std::string& path) {
  for (const char* e : {"generate", "status", "results", "health"}) {
    if (path.find(std::string("/") + e) != std::string::npos) return e;
  }
  return "other";
}

// A line's string member, "" when it is missing or not a string (a const
// json's operator[] must not be asked for a missing key).
std::string StringField(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

int Scale() {
  const char* s = getenv("CNAKE_TEST_SCALE");
  const int v = s ? atoi(s) : 1;
  return v >= 1 ? v : 1;
}

std::map<std::string, std::string> ReliabilityTest::Env(const std::string& url) const {
  std::map<std::string, std::string> env = {
      {"HOME", dir_.path().string()},
      {"PATH", "/usr/bin:/bin"},
      {"CNAKE_API_BASE_URL", url},
      {"CNAKE_DUCKDB_DB_PATH", Db()},
      {"CNAKE_PROCESSING_POLL_INTERVAL", "0.05"},
      {"CNAKE_PROCESSING_MAX_POLL_INTERVAL", "0.2"},
      {"CNAKE_API_RETRY_DELAY", "0.02"},
      {"CNAKE_API_MAX_RETRY_DELAY", "0.2"},
      {"CNAKE_API_TIMEOUT", "5"},
      {"CNAKE_API_CONNECT_TIMEOUT", "2"},
      {"CNAKE_PROCESSING_SHUTDOWN_GRACE", "1"},
      {"CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE", "60000"},
      {"CNAKE_PROCESSING_RATE_LIMIT_BURST", "50"}};
  if (default_polling_) {
    env.erase("CNAKE_PROCESSING_POLL_INTERVAL");
    env.erase("CNAKE_PROCESSING_MAX_POLL_INTERVAL");
  }
  // A sanitizer build of the client (scripts/soak.sh) must abort on a report,
  // so that no report can pass for an ordinary exit code.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* v = getenv(name)) env[name] = v;
  }
  return env;
}

testing::ProcessResult ReliabilityTest::Client(std::vector<std::string> args,
                                               const std::string& url,
                                               const std::map<std::string, std::string>& extra) {
  args.insert(args.begin(), kClient);
  auto env = Env(url);
  for (const auto& [k, v] : extra) env[k] = v;
  return testing::RunProcess(args, env, dir_.path().string());
}

RunResult ReliabilityTest::ClientMeasured(std::vector<std::string> args, const std::string& url,
                                          const std::map<std::string, std::string>& extra,
                                          std::chrono::milliseconds sample_every) {
  args.insert(args.begin(), kClient);
  auto env = Env(url);
  for (const auto& [k, v] : extra) env[k] = v;
  return RunMeasured(args, env, dir_.path().string(), sample_every);
}

std::unique_ptr<testing::ChildProcess> ReliabilityTest::Background(
    std::vector<std::string> args, const std::string& url,
    const std::map<std::string, std::string>& extra) {
  args.insert(args.begin(), kClient);
  auto env = Env(url);
  for (const auto& [k, v] : extra) env[k] = v;
  return std::make_unique<testing::ChildProcess>(args, env, dir_.File("client.out"),
                                                 dir_.File("client.err"), dir_.path().string());
}

void ReliabilityTest::ImportEntries(int n) {
  std::vector<std::string> codes;
  for (const auto& e :
       fs::recursive_directory_iterator(std::string(CNAKE_SOURCE_DIR) + "/samples/cython")) {
    if (e.path().extension() != ".pyx") continue;
    std::ifstream in(e.path());
    codes.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(codes.empty());
  {
    std::ofstream out(dir_.File("entries.jsonl"));
    char id[32];
    for (int i = 0; i < n; ++i) {
      snprintf(id, sizeof id, "entry-%06d", i);
      out << json{{"id", id},
                  {"code", codes[i % codes.size()] + "\n# variant " + std::to_string(i) + "\n"}}
                 .dump()
          << "\n";
    }
  }
  auto r = Client({"import", dir_.File("entries.jsonl")}, "http://127.0.0.1:9/api");
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::map<std::string, Row> ReliabilityTest::Rows() const {
  std::map<std::string, Row> rows;
  auto store = DuckDbStore::Open({Db(), {}, {}});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return rows;
  auto r = (*store)->connection().Query(
      "SELECT e.id, e.processing_status, coalesce(p.code, ''), "
      "coalesce(json_extract_string(p.metadata, '$.request_id'), ''), "
      "coalesce((SELECT min(error_type) FROM processing_errors x WHERE x.entry_id = e.id), ''), "
      "(SELECT count(*) FROM processing_errors x WHERE x.entry_id = e.id)::VARCHAR "
      "FROM cython_entries e LEFT JOIN python_entries p ON p.cython_id = e.id");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return rows;
  while (auto c = r->NextChunk()) {
    for (std::size_t i = 0; i < c->size(); ++i) {
      rows[std::string(c->GetString(0, i))] = {
          std::string(c->GetString(1, i)), std::string(c->GetString(2, i)),
          std::string(c->GetString(3, i)), std::string(c->GetString(4, i)),
          std::stoi(std::string(c->GetString(5, i)))};
    }
  }
  return rows;
}

std::string ReliabilityTest::Query(const std::string& sql) const {
  auto store = DuckDbStore::Open({Db(), {}, {}});
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return "";
  auto r = (*store)->connection().Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  auto c = r->NextChunk();
  return c && c->size() && !c->IsNull(0, 0) ? std::string(c->GetString(0, 0)) : "";
}

std::vector<LogLine> ReliabilityTest::ReadLog() const {
  std::vector<LogLine> lines;
  std::map<std::string, std::string> source_of_request;
  for (const auto& text : testing::ReadLines(Log())) {
    LogLine l{json::parse(text), "", ""};
    l.endpoint = EndpointOf(l.j.value("path", ""));
    if (l.endpoint == "generate") {
      if (l.j["source_id"].is_string()) l.source = l.j["source_id"];
      if (l.j["request_id"].is_string()) source_of_request[l.j["request_id"]] = l.source;
    } else if (l.j["request_id"].is_string()) {
      auto it = source_of_request.find(l.j["request_id"]);
      if (it != source_of_request.end()) l.source = it->second;
    }
    lines.push_back(std::move(l));
  }
  return lines;
}

void ReliabilityTest::ExpectResultsMatchServerLog(const std::map<std::string, Row>& rows) const {
  std::map<std::string, std::string> python_sha;  // request_id -> sha of the generated python
  for (const auto& l : ReadLog()) {
    const std::string sha = StringField(l.j, "python_sha256");
    if (!sha.empty()) python_sha[StringField(l.j, "request_id")] = sha;
  }
  for (const auto& [id, row] : rows) {
    if (row.status != "completed") continue;
    auto it = python_sha.find(row.request_id);
    ASSERT_NE(it, python_sha.end()) << id << " request " << row.request_id;
    EXPECT_EQ(Sha256Hex(row.python), it->second) << id;
  }
}

void ReliabilityTest::ExpectOneKeyAndAtMostOneJobPerEntry() const {
  std::map<std::string, std::set<std::string>> keys;
  std::map<std::string, int> jobs;
  for (const auto& l : ReadLog()) {
    if (l.endpoint != "generate") continue;
    if (const std::string key = StringField(l.j, "idempotency_key"); !key.empty()) {
      keys[l.source].insert(key);
    }
    if (l.j.value("job_created", false)) ++jobs[l.source];
  }
  const auto rows = Rows();
  for (const auto& [entry, k] : keys) {
    EXPECT_EQ(k.size(), 1u) << entry;
    EXPECT_LE(jobs[entry], 1) << entry;
    auto row = rows.find(entry);
    if (row != rows.end() && row->second.status == "completed") {
      EXPECT_EQ(jobs[entry], 1) << entry;
    }
  }
}

namespace {

// RssAnon and VmHWM (the peak so far) in kB, or -1 when the process is gone.
std::pair<long, long> AnonAndPeakKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  long anon = -1, peak = -1;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) peak = std::atol(line.c_str() + 6);
    if (line.rfind("RssAnon:", 0) == 0) anon = std::atol(line.c_str() + 8);
  }
  return {anon, peak};
}

}  // namespace

RunResult RunMeasured(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env, const std::string& cwd,
                      std::chrono::milliseconds sample_every) {
  RunResult result;
  const std::string out_path = cwd + "/measured.out", err_path = cwd + "/measured.err";
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> c_argv, c_env;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (auto& e : env_strings) c_env.push_back(e.data());
  c_env.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    int o = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    if (chdir(cwd.c_str()) != 0) _exit(126);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  const auto start = std::chrono::steady_clock::now();
  while (sample_every.count() > 0) {
    const pid_t done = wait4(pid, &status, WNOHANG, &usage);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (const auto [anon, peak] = AnonAndPeakKb(pid); anon >= 0 && peak >= 0) {
      result.anon_kb.emplace_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), anon);
      result.peak_kb.push_back(peak);
    }
    std::this_thread::sleep_for(sample_every);
  }
  if (sample_every.count() == 0) {
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.max_rss_kb = usage.ru_maxrss;
  std::ifstream out(out_path), err(err_path);
  std::stringstream so, se;
  so << out.rdbuf();
  se << err.rdbuf();
  result.out = so.str();
  result.err = se.str();
  return result;
}

std::string FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Sha256Hex(bytes);
}

}  // namespace cnake::reliability
