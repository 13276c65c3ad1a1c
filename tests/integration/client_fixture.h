// The fixture of the end-to-end tests that run `process` and its siblings:
// the real client binary in a temporary directory (its working directory
// too), against the reference server, on a real DuckDB file. The server's
// request log is the ground truth for what was sent.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/duckdb/duckdb.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/child_process.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"
#include "util/sha256.h"

namespace cnake {

inline const std::string kClient = std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-client";
inline const std::string kSamples = std::string(CNAKE_SOURCE_DIR) + "/samples/cython";

class ClientTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env(const std::string& url) {
    return {{"HOME", dir_.path().string()},
            {"PATH", "/usr/bin:/bin"},
            {"CNAKE_API_BASE_URL", url},
            {"CNAKE_DUCKDB_DB_PATH", Db()},
            {"CNAKE_PROCESSING_POLL_INTERVAL", "0.05"},
            {"CNAKE_PROCESSING_MAX_POLL_INTERVAL", "0.3"},
            {"CNAKE_API_RETRY_DELAY", "0.05"},
            {"CNAKE_API_MAX_RETRY_DELAY", "1"},
            {"CNAKE_API_TIMEOUT", "5"},
            {"CNAKE_PROCESSING_SHUTDOWN_GRACE", "1"},
            {"CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE", "60000"},
            {"CNAKE_PROCESSING_RATE_LIMIT_BURST", "50"}};
  }
  testing::ProcessResult Client(std::vector<std::string> args, const std::string& url,
                                std::map<std::string, std::string> extra = {}) {
    args.insert(args.begin(), kClient);
    auto env = Env(url);
    for (auto& [k, v] : extra) env[k] = v;
    return testing::RunProcess(args, env, dir_.path().string());
  }
  std::unique_ptr<testing::ChildProcess> Background(std::vector<std::string> args,
                                                    const std::string& url,
                                                    std::map<std::string, std::string> extra = {}) {
    args.insert(args.begin(), kClient);
    auto env = Env(url);
    for (auto& [k, v] : extra) env[k] = v;
    return std::make_unique<testing::ChildProcess>(args, env, dir_.File("client.out"),
                                                   dir_.File("client.err"), dir_.path().string());
  }
  std::string Db() const { return dir_.File("data.duckdb"); }
  // Waits until a running client publishes its run file (the engine is running).
  // True once the engine's run file exists; false after `limit`, or as soon
  // as `child` (if given) has exited without writing one.
  bool WaitForRunFile(std::chrono::seconds limit = std::chrono::seconds(60),
                      testing::ChildProcess* child = nullptr) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!std::filesystem::exists(Db() + ".run")) {
      int code = 0;
      if (child != nullptr && child->TryWait(&code)) return false;
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  std::string Log() const { return dir_.File("requests.jsonl"); }

  // Imports n entries: the samples, cycled, each made distinct.
  void ImportEntries(int n) {
    std::vector<std::string> codes;
    for (const auto& e : std::filesystem::recursive_directory_iterator(kSamples)) {
      if (e.path().extension() != ".pyx") continue;
      std::ifstream in(e.path());
      codes.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::ofstream out(dir_.File("entries.jsonl"));
    for (int i = 0; i < n; ++i) {
      char id[32];
      snprintf(id, sizeof id, "entry-%04d", i);
      out << nlohmann::json{{"id", id},
                            {"code",
                             codes[i % codes.size()] + "\n# variant " + std::to_string(i) + "\n"}}
                 .dump()
          << "\n";
    }
    out.close();
    testing::ProcessResult r =
        Client({"import", dir_.File("entries.jsonl")}, "http://127.0.0.1:9/api");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  struct Row {
    std::string status, python, request_id;
  };
  // Reads every entry's state and result (the client must not be running).
  std::map<std::string, Row> Rows() {
    std::map<std::string, Row> rows;
    auto store = DuckDbStore::Open({Db(), {}, {}});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    auto r = (*store)->connection().Query(
        "SELECT e.id, e.processing_status, coalesce(p.code, ''), "
        "coalesce(json_extract_string(p.metadata, '$.request_id'), '') FROM cython_entries e "
        "LEFT JOIN python_entries p ON p.cython_id = e.id");
    while (auto c = r->NextChunk()) {
      for (std::size_t i = 0; i < c->size(); ++i) {
        rows[std::string(c->GetString(0, i))] = {std::string(c->GetString(1, i)),
                                                 std::string(c->GetString(2, i)),
                                                 std::string(c->GetString(3, i))};
      }
    }
    return rows;
  }
  std::string Query(const std::string& sql) {
    auto store = DuckDbStore::Open({Db(), {}, {}});
    auto r = (*store)->connection().Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto c = r->NextChunk();
    return c && c->size() && !c->IsNull(0, 0) ? std::string(c->GetString(0, 0)) : "";
  }

  // Every completed entry's python equals what the server sent for its job.
  void ExpectResultsMatchServerLog(const std::map<std::string, Row>& rows) {
    std::map<std::string, std::string> python_sha;  // request_id -> sha of the generated python
    for (const auto& line : testing::ReadLines(Log())) {
      auto j = nlohmann::json::parse(line);
      if (j["path"].get<std::string>().find("/results/") != std::string::npos &&
          j["python_sha256"].is_string()) {
        python_sha[j["request_id"].get<std::string>()] = j["python_sha256"];
      }
    }
    for (const auto& [id, row] : rows) {
      if (row.status != "completed") continue;
      auto it = python_sha.find(row.request_id);
      ASSERT_NE(it, python_sha.end()) << id << " request " << row.request_id;
      EXPECT_EQ(Sha256Hex(row.python), it->second) << id;
    }
  }

  // Per entry: how many distinct Idempotency-Keys it was posted with, and how
  // many jobs the server created for it.
  struct Posts {
    std::set<std::string> keys;
    int jobs_created = 0;
    int posts = 0;
  };
  std::map<std::string, Posts> PostsPerEntry() {
    std::map<std::string, Posts> out;
    for (const auto& line : testing::ReadLines(Log())) {
      auto j = nlohmann::json::parse(line);
      if (j["method"] != "POST") continue;
      Posts& p = out[j["source_id"].is_string() ? j["source_id"].get<std::string>() : "?"];
      ++p.posts;
      if (j["idempotency_key"].is_string()) p.keys.insert(j["idempotency_key"]);
      if (j["job_created"] == true) ++p.jobs_created;
    }
    return out;
  }

  testing::TempDir dir_;
};

}  // namespace cnake
