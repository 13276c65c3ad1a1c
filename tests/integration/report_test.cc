// `report` end to end: databases produced by real runs of the client against
// the reference server with faults switched on, every report type × format
// checked for structure (JSON Schema, RFC 4180 CSV, Markdown tables, HTML)
// and for agreement with the server's request log; the live /metrics of a
// running process parsed with a strict Prometheus text-format parser.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "control/control_server.h"
#include "report/performance.h"
#include "report/systemic_hints.h"
#include "report/testing/prometheus_text.h"
#include "report/testing/report_checks.h"
#include "report/testing/schema_lite.h"
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

json Schema(const std::string& type) {
  return json::parse(
      ReadFile(std::string(CNAKE_SOURCE_DIR) + "/docs/schemas/" + type + ".schema.json"));
}

class ReportTest : public ::testing::Test {
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
            {"CNAKE_API_MAX_RETRIES", "6"},
            {"CNAKE_API_TIMEOUT", "5"},
            {"CNAKE_PROCESSING_SHUTDOWN_GRACE", "1"},
            {"CNAKE_PROCESSING_RATE_LIMIT_REQUESTS_PER_MINUTE", "60000"},
            {"CNAKE_PROCESSING_RATE_LIMIT_BURST", "50"}};
  }
  ProcessResult Client(std::vector<std::string> args,
                       const std::string& url = "http://127.0.0.1:9/api") {
    args.insert(args.begin(), kClient);
    return testing::RunProcess(args, Env(url), dir_.path().string());
  }
  std::string Db() const { return dir_.File("data.duckdb"); }

  void ImportEntries(int n) {
    std::vector<std::string> codes;
    for (const auto& e : fs::recursive_directory_iterator(kSamples)) {
      if (e.path().extension() != ".pyx") continue;
      codes.push_back(ReadFile(e.path().string()));
    }
    ASSERT_FALSE(codes.empty());
    std::ofstream out(dir_.File("entries.jsonl"));
    for (int i = 0; i < n; ++i) {
      out << json{{"id", "entry-" + std::to_string(1000 + i)},
                  {"code", codes[i % codes.size()] + "\n# variant " + std::to_string(i) + "\n"}}
                 .dump()
          << "\n";
    }
    out.close();
    ProcessResult r = Client({"import", dir_.File("entries.jsonl")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string Query(const std::string& sql) {
    auto store = DuckDbStore::Open({Db(), {}, {}});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    auto r = (*store)->connection().Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    auto c = r->NextChunk();
    return c && c->size() && !c->IsNull(0, 0) ? std::string(c->GetString(0, 0)) : "";
  }

  testing::TempDir dir_;
};

// One faulty run, then every report type × format of it. The faults are
// drawn per job from the batch id, which differs per run: at 10% 429s on
// status, about 2% of runs drew none (about 36 status requests); at 20%,
// 0.03%. Retry-After 0 keeps the run short (each 429 with 1 s paused the
// whole run for a second: 12-28 s at 20%). Failed entries likewise: each
// generate attempt draws anew, so an entry fails with job_failed /
// (job_failed + success) = 0.3 / 0.8; at 0.1 that was 1/8 and no entry of 40
// failed in 0.5% of runs.
TEST_F(ReportTest, EveryTypeAndFormatFromAFaultyRun) {
  const std::string log = dir_.File("requests.jsonl");
  ReferenceServer server({"--delay", "fixed:10ms", "--request-log", log, "--seed", "5"});
  ASSERT_EQ(server.SetScenario(R"({"endpoints": {"generate": {"500": 0.2, "job_failed": 0.3},
                                  "status": {"429": 0.2}, "results": {"429": 0.2}},
                                  "params": {"retry_after_s": 0,
                                  "retry_after_form": "seconds"}})"),
            200);
  ImportEntries(40);
  ProcessResult run =
      Client({"process", "--batch-size", "40", "--max-concurrent", "8", "--progress", "none"},
             server.url());
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.out << run.err;
  const std::string batch = Query("SELECT id FROM batch_jobs");
  ASSERT_FALSE(batch.empty());
  const int failed =
      std::stoi(Query("SELECT count(*)::VARCHAR FROM cython_entries WHERE "
                      "processing_status = 'failed'"));
  ASSERT_GT(failed, 0) << "the scenario should make some jobs fail";

  // What the server answered, from its own log.
  int server_requests = 0, server_429 = 0;
  for (const auto& line : testing::ReadLines(log)) {
    auto j = json::parse(line);
    // The start-up check (/health and the status probe) is not the batch's.
    if (j["path"].get<std::string>().find("/health") != std::string::npos) continue;
    if (j["path"].get<std::string>().find("/cnake-preflight-") != std::string::npos) continue;
    ++server_requests;
    server_429 += j["status"] == 429;
  }
  ASSERT_GT(server_429, 0);

  std::map<std::string, std::string> outputs;
  for (const std::string type : {"summary", "detailed", "errors"}) {
    for (const std::string format : {"json", "md", "html", "csv"}) {
      const std::string file = dir_.File(type + "." + format);
      ProcessResult r = Client(
          {"report", "--batch-id", batch, "--type", type, "--format", format, "--output", file});
      ASSERT_EQ(r.exit_code, 0) << type << " " << format << ": " << r.err;
      outputs[type + "." + format] = ReadFile(file);
      ASSERT_FALSE(outputs[type + "." + format].empty()) << type << "." << format;
    }
  }

  // JSON: the schemas, and the numbers against the database and the server.
  for (const std::string type : {"summary", "detailed", "errors"}) {
    const json doc = json::parse(outputs[type + ".json"]);
    auto errors = report::testing::SchemaLite(Schema(type)).Validate(doc);
    EXPECT_TRUE(errors.empty()) << type << ": " << json(errors).dump(1);
    EXPECT_EQ(doc["batch_id"], batch);
  }
  const json summary = json::parse(outputs["summary.json"]);
  EXPECT_EQ(summary["entries"]["total"], 40);
  EXPECT_EQ(summary["entries"]["by_state"]["failed"], failed);
  EXPECT_EQ(summary["entries"]["by_state"]["completed"].get<int>() + failed, 40);
  EXPECT_EQ(summary["requests"]["http_429"], server_429);
  EXPECT_EQ(summary["requests"]["total"], server_requests);
  EXPECT_EQ(summary["batches"][0]["options"].dump().find("api_key\""), std::string::npos);

  const json detailed = json::parse(outputs["detailed.json"]);
  ASSERT_EQ(detailed["entries"].size(), 40u);
  std::set<std::string> ids;
  for (const auto& e : detailed["entries"]) {
    ids.insert(e["entry_id"].get<std::string>());
    if (e["state"] == "failed") {
      EXPECT_TRUE(e["error"].is_string()) << e.dump();
      EXPECT_TRUE(e["error_type"].is_string()) << e.dump();
    } else {
      EXPECT_EQ(e["state"], "completed") << e.dump();
      EXPECT_TRUE(e["latency_ms"].is_number()) << e.dump();
      EXPECT_TRUE(e["python_id"].is_string()) << e.dump();
    }
    EXPECT_GE(e["requests"].get<int>(), 1) << e.dump();
  }
  EXPECT_EQ(ids.size(), 40u);

  const json errors = json::parse(outputs["errors.json"]);
  EXPECT_EQ(errors["failures"], failed);
  int pattern_total = 0;
  for (const auto& p : errors["patterns"]) {
    pattern_total += p["count"].get<int>();
    EXPECT_LE(p["examples"].size(), 3u);
    for (const auto& e : p["examples"]) EXPECT_TRUE(ids.count(e.get<std::string>())) << e;
  }
  EXPECT_EQ(pattern_total, failed);
  // Patterns are largest first.
  for (std::size_t i = 1; i < errors["patterns"].size(); ++i) {
    EXPECT_GE(errors["patterns"][i - 1]["count"], errors["patterns"][i]["count"]);
  }
  bool saw_429 = false;
  for (const auto& r : errors["request_errors"]) saw_429 |= r["http_status"] == 429;
  EXPECT_TRUE(saw_429) << errors["request_errors"].dump();

  // CSV: rectangular RFC 4180, one row per entry / pattern.
  std::string error;
  auto csv = report::testing::ParseCsv(outputs["detailed.csv"], &error);
  ASSERT_TRUE(csv) << error;
  EXPECT_EQ(csv->size(), 41u);
  csv = report::testing::ParseCsv(outputs["errors.csv"], &error);
  ASSERT_TRUE(csv) << error;
  EXPECT_EQ(csv->size(), errors["patterns"].size() + 1);
  EXPECT_EQ((*csv)[0].size(), 9u);
  csv = report::testing::ParseCsv(outputs["summary.csv"], &error);
  ASSERT_TRUE(csv) << error;
  EXPECT_EQ((*csv)[0], std::vector<std::string>({"field", "value"}));

  // Markdown tables keep their shape; HTML is well formed and self-contained.
  for (const std::string type : {"summary", "detailed", "errors"}) {
    int tables = 0;
    EXPECT_TRUE(report::testing::CheckMarkdownTables(outputs[type + ".md"], &error, &tables))
        << type << ": " << error;
    EXPECT_GE(tables, 1) << type;
    EXPECT_TRUE(report::testing::CheckHtml(outputs[type + ".html"], &error))
        << type << ": " << error;
  }
  const std::string& html = outputs["summary.html"];
  EXPECT_GE(std::count(html.begin(), html.end(), '\n'), 10);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no other URL

  // Without --output: JSON on stdout; without --batch-id: every batch.
  ProcessResult all = Client({"report"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(json::parse(all.out)["batch_id"].is_null());
}

TEST_F(ReportTest, UsageErrors) {
  ImportEntries(2);
  ProcessResult r = Client({"report", "--batch-id", "b-nope"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no batch b-nope"), std::string::npos) << r.err;
  r = Client({"report", "--format", "pdf"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = Client({"report", "--type", "everything"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // An unwritable output leaves nothing behind and exits non-zero.
  r = Client({"report", "-o", dir_.File("no/such/dir/r.json")});
  EXPECT_NE(r.exit_code, 0);
  // A report of a database without batches is valid and empty.
  r = Client({"report", "--type", "errors"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["failures"], 0);
}

// Issue 21 item 6: a report of a batch that does not exist prints nothing on
// stdout (not half a document) and exits 2, in every type and format.
TEST_F(ReportTest, UnknownBatchPrintsNothing) {
  ImportEntries(2);
  for (const std::string type : {"detailed", "summary", "errors"}) {
    for (const std::string format : {"json", "md", "html", "csv"}) {
      ProcessResult r =
          Client({"report", "--batch-id", "b-nope", "--type", type, "--format", format});
      EXPECT_EQ(r.exit_code, 2) << type << " " << format << ": " << r.err;
      EXPECT_EQ(r.out, "") << type << " " << format;
      EXPECT_NE(r.err.find("no batch b-nope"), std::string::npos) << r.err;
    }
  }
}

// Issue 21 item 15: `--type error` is the errors report.
TEST_F(ReportTest, TypeErrorIsTheErrorsReport) {
  ImportEntries(2);
  ProcessResult r = Client({"report", "--type", "error"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["report_type"], "errors");
  r = Client({"report", "--type", "error", "--format", "md", "-o", dir_.File("e.md")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("wrote errors report (md)"), std::string::npos) << r.err;
}

// Issue 21 item 10: the run summary, `status` (text and JSON) and the JSON,
// Markdown and HTML reports print the same latency percentiles and
// throughput for one batch: one definition (report/performance.h), one
// computation, one format.
TEST_F(ReportTest, EveryViewOfABatchShowsTheSameFigures) {
  ReferenceServer server({"--delay", "uniform:5ms,80ms", "--seed", "3"});
  ImportEntries(30);
  ProcessResult run =
      Client({"process", "--batch-size", "30", "--max-concurrent", "6", "--progress", "none"},
             server.url());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string batch = Query("SELECT id FROM batch_jobs");

  ProcessResult r = Client({"report", "--batch-id", batch});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json report = json::parse(r.out);
  const json& lat = report["latency_ms"];
  ASSERT_GE(lat["count"].get<int>(), 60) << r.out;
  const std::string p50 = report::FormatMs(lat["p50"].get<double>());
  const std::string p90 = report::FormatMs(lat["p90"].get<double>());
  const std::string p99 = report::FormatMs(lat["p99"].get<double>());
  const std::string eps = report::FormatRate(report["throughput_entries_per_second"].get<double>());
  const auto capture = [](const std::string& text, const std::string& pattern) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(text, m, std::regex(pattern))) << pattern << "\n" << text;
    std::vector<std::string> groups;
    for (std::size_t i = 1; i < m.size(); ++i) groups.push_back(m[i]);
    return groups;
  };
  using Figures = std::vector<std::string>;
  const std::string num = "([0-9.]+)";
  // The run summary.
  EXPECT_EQ(capture(run.out, "latency p50 " + num + " ms, p90 " + num + " ms, p99 " + num + " ms"),
            Figures({p50, p90, p99}));
  EXPECT_EQ(capture(run.out, "\\(" + num + " entries/s\\)"), Figures({eps}));
  // status, text and JSON.
  ProcessResult status = Client({"status", "--batch-id", batch});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(capture(status.out, "throughput " + num + " entries/s.*API latency p50 " + num +
                                    " ms, p90 " + num + " ms, p99 " + num + " ms"),
            Figures({eps, p50, p90, p99}));
  status = Client({"status", "--batch-id", batch, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const json sj = json::parse(status.out);
  for (const char* q : {"p50", "p90", "p99"}) EXPECT_EQ(sj["latency_ms"][q], lat[q]) << q;
  EXPECT_EQ(sj["entries_per_second"], report["throughput_entries_per_second"]);
  // Markdown and HTML.
  r = Client({"report", "--batch-id", batch, "--format", "md"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(capture(r.out, "\\| latency p50 \\(ms\\) \\| " + num + " \\|"), Figures({p50}));
  EXPECT_EQ(capture(r.out, "\\| latency p90 \\(ms\\) \\| " + num + " \\|"), Figures({p90}));
  EXPECT_EQ(capture(r.out, "\\| latency p99 \\(ms\\) \\| " + num + " \\|"), Figures({p99}));
  EXPECT_EQ(capture(r.out, "\\| throughput \\(entries/s\\) \\| " + num + " \\|"), Figures({eps}));
  r = Client({"report", "--batch-id", batch, "--format", "html"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(capture(r.out, "<div class=\"v\">" + num + " / " + num + " / " + num +
                               "</div><div class=\"k\">latency p50/p90/p99 \\(ms\\)"),
            Figures({p50, p90, p99}));
  EXPECT_EQ(capture(r.out, "<div class=\"v\">" + num + "</div><div class=\"k\">entries/s<"),
            Figures({eps}));
}

// A run where every submission is throttled ends with a hint to lower the
// rate, printed by `process` and listed by the errors report. A 429 spends
// no retry, so the entries fail at processing.job_timeout, as http_429.
TEST_F(ReportTest, SystemicThrottlingGivesAHint) {
  ReferenceServer server({});
  ASSERT_EQ(server.SetScenario(R"({"endpoints": {"generate": {"429": 1.0}},
                                  "params": {"retry_after_s": 0}})"),
            200);
  ImportEntries(3);
  auto env = Env(server.url());
  env["CNAKE_PROCESSING_JOB_TIMEOUT"] = "2";
  ProcessResult run = testing::RunProcess(
      {kClient, "process", "--batch-size", "3", "--progress", "none", "--rpm", "6000"}, env,
      dir_.path().string());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  // More than 3 entries x (1 + the default 3 retries): throttling spent no
  // budget. The hint covers the batch's last requests (up to its window),
  // every one a 429.
  const int requests = std::stoi(Query("SELECT count(*)::VARCHAR FROM api_requests"));
  ASSERT_GT(requests, 12);
  EXPECT_EQ(Query("SELECT count(*)::VARCHAR FROM api_requests WHERE http_status <> 429"), "0");
  EXPECT_NE(run.err.find(
                "hint: all " +
                std::to_string(std::min(static_cast<std::size_t>(requests), report::kHintWindow)) +
                " recent requests got 429 (rate limited): lower --rpm"),
            std::string::npos)
      << run.err;
  ProcessResult r = Client({"report", "--type", "errors"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json errors = json::parse(r.out);
  ASSERT_EQ(errors["hints"].size(), 1u) << r.out;
  EXPECT_NE(errors["hints"][0].get<std::string>().find("lower --rpm"), std::string::npos);
  ASSERT_EQ(errors["patterns"].size(), 1u) << r.out;
  EXPECT_EQ(errors["patterns"][0]["error_type"], "http_429");
  EXPECT_EQ(errors["patterns"][0]["count"], 3);
}

// /metrics of a running process, scraped through its run file, parsed with a
// strict text-format 0.0.4 parser, several times during the run.
TEST_F(ReportTest, LiveMetricsAreStrictPrometheusText) {
  ReferenceServer server({"--delay", "fixed:200ms"});
  ImportEntries(30);
  auto env = Env(server.url());
  ChildProcess child(
      {kClient, "process", "--batch-size", "30", "--max-concurrent", "2", "--progress", "none"},
      env, dir_.File("client.out"), dir_.File("client.err"), dir_.path().string());
  std::optional<control::RunFile> run;
  for (int i = 0; i < 200 && !run; ++i) {
    auto r = control::ReadRunFile(control::RunFilePath(Db()));
    if (r.ok() && r->port > 0) {
      run = *r;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_TRUE(run) << "no run file";
  int scrapes = 0, loaded = 0;
  double last_requests = -1;
  for (int i = 0; i < 5; ++i) {
    auto body = control::CallControl(*run, "GET", "/metrics");
    if (!body.ok()) break;  // the run may have finished
    report::testing::PrometheusTextParser parser;
    ASSERT_TRUE(parser.Parse(*body)) << parser.error() << "\n" << *body;
    ++scrapes;
    const auto* latency = parser.Find("cnake_request_latency_seconds");
    ASSERT_NE(latency, nullptr) << *body;
    EXPECT_EQ(latency->type, "histogram");
    EXPECT_FALSE(latency->help.empty());
    const auto* requests = parser.Find("cnake_requests_total");
    ASSERT_NE(requests, nullptr) << *body;
    EXPECT_EQ(requests->type, "counter");
    double total = 0;
    for (const auto& s : requests->samples) total += s.value;
    EXPECT_GE(total, last_requests) << "a counter went down";
    last_requests = total;
    const auto* entries = parser.Find("cnake_entries");
    ASSERT_NE(entries, nullptr);
    double sum = 0;
    for (const auto& s : entries->samples) sum += s.value;
    // The states partition the batch (all zero only before the engine has
    // loaded it: the control endpoint starts first).
    if (sum > 0) {
      EXPECT_EQ(sum, 30) << *body;
      ++loaded;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_GE(scrapes, 2);
  EXPECT_GE(loaded, 1);
  // A wrong token is refused.
  control::RunFile wrong = *run;
  wrong.token = "not-the-token";
  EXPECT_FALSE(control::CallControl(wrong, "GET", "/metrics").ok());
  EXPECT_EQ(child.Wait(), 0) << ReadFile(dir_.File("client.err"));
}

}  // namespace
}  // namespace cnake
