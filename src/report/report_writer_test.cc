// Every report type × format over a database with hand-made rows, including
// hostile entry ids and messages: outputs parse, match the JSON Schemas in
// docs/schemas, and keep their structure.
#include "report/report_writer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report/detailed_report.h"
#include "report/error_report.h"
#include "report/testing/report_checks.h"
#include "report/testing/schema_lite.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/temp_dir.h"

namespace cnake::report {
namespace {

using nlohmann::json;

const std::string kHostileId = "e\"vil</td><script>alert(1)</script>|,x";

json LoadSchema(const std::string& name) {
  std::ifstream in(std::string(CNAKE_SOURCE_DIR) + "/docs/schemas/" + name + ".schema.json");
  return json::parse(in);
}

class ReportWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = DuckDbStore::Open({dir_.File("r.duckdb"), {}, {}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    Exec(
        "INSERT INTO batch_jobs (id, total_entries, status, options, started_at, completed_at, "
        "updated_at) VALUES ('b1', 5, 'completed', '{\"base_url\": \"http://h/api\", "
        "\"requests_per_minute\": 60}', TIMESTAMP '2026-01-01 10:00:00', TIMESTAMP '2026-01-01 "
        "10:00:10', TIMESTAMP '2026-01-01 10:00:10'), ('b2', 1, 'running', NULL, TIMESTAMP "
        "'2026-01-01 11:00:00', NULL, TIMESTAMP '2026-01-01 11:00:04')");
    Exec(
        "INSERT INTO cython_entries (id, code, processing_status, batch_id, attempts, "
        "last_error, python_id, request_id) VALUES "
        "('a', 'x', 'completed', 'b1', 1, NULL, 'py:a', 'r-a'), "
        "('b', 'x', 'completed', 'b1', 3, 'http_503: stale', 'py:b', 'r-b'), "
        "('c', 'x', 'failed', 'b1', 2, 'job_failed: job 1234 failed after 77 ms', NULL, 'r-c'), "
        "('d', 'x', 'failed', 'b1', 2, 'job_failed: job 99 failed after 5 ms', NULL, 'r-d'), "
        "($$" +
        kHostileId +
        "$$, 'x', 'failed', 'b1', 1, 'http_500: \"<b>bad\"' || chr(10) || "
        "chr(1), NULL, NULL), "
        "('f', 'x', 'pending', 'b2', 0, NULL, NULL, NULL), "
        "('g', 'x', 'pending', NULL, 0, NULL, NULL, NULL)");
    Exec(
        "INSERT INTO python_entries (id, code, cython_id, metadata, generated_at) VALUES "
        "('py:a', 'y', 'a', '{\"latency_ms\": 12.5}', TIMESTAMP '2026-01-01 10:00:01'), "
        "('py:b', 'y', 'b', '{\"latency_ms\": 40}', TIMESTAMP '2026-01-01 10:00:08')");
    Exec(
        "INSERT INTO processing_errors (id, entry_id, batch_id, error_message, error_type, "
        "occurred_at, http_status) VALUES "
        "('1', 'c', 'b1', 'job 1234 failed after 77 ms', 'job_failed', TIMESTAMP '2026-01-01 "
        "10:00:03', 200), "
        "('2', 'd', 'b1', 'job 99 failed after 5 ms', 'job_failed', TIMESTAMP '2026-01-01 "
        "10:00:05', 200), "
        "('3', $$" +
        kHostileId +
        "$$, 'b1', '\"<b>bad\"</b> & ' || chr(1), 'http_500', "
        "TIMESTAMP '2026-01-01 10:00:06', 500)");
    Exec(
        "INSERT INTO api_requests "
        "(batch_id, entry_id, attempt, endpoint, http_status, latency_ms, error_type, occurred_at) "
        "VALUES "
        "('b1', 'a', 1, 'submit', 200, 3.0, NULL, TIMESTAMP '2026-01-01 10:00:00.5'), "
        "('b1', 'b', 1, 'submit', 503, 7.0, 'http_503', TIMESTAMP '2026-01-01 10:00:01'), "
        "('b1', 'b', 2, 'submit', 429, 70.0, 'http_429', TIMESTAMP '2026-01-01 10:00:02'), "
        "('b1', 'b', 3, 'submit', 200, 700.0, NULL, TIMESTAMP '2026-01-01 10:00:03'), "
        "('b1', 'c', 1, 'status', 200, 1e6, NULL, TIMESTAMP '2026-01-01 10:00:04'), "
        "('b2', 'f', 1, 'submit', NULL, 2.0, 'connection_refused', TIMESTAMP '2026-01-01 "
        "11:00:01')");
  }
  void Exec(const std::string& sql) {
    Status st = store_->connection().Execute(sql);
    ASSERT_TRUE(st.ok()) << st.ToString() << "\n" << sql;
  }
  std::string Write(ReportType type, ReportFormat format, std::optional<std::string> batch) {
    ReportRequest req;
    req.scope.batch_id = std::move(batch);
    req.type = type;
    req.format = format;
    req.generated_at = "2026-01-02T00:00:00.000Z";
    std::ostringstream out;
    Status st = WriteReport(store_->queries(), req, out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out.str();
  }

  ::cnake::testing::TempDir dir_;
  std::unique_ptr<DuckDbStore> store_;
};

TEST_F(ReportWriterTest, SummaryJsonMatchesSchemaAndData) {
  const json j = json::parse(Write(ReportType::kSummary, ReportFormat::kJson, "b1"));
  auto errors = testing::SchemaLite(LoadSchema("summary")).Validate(j);
  EXPECT_TRUE(errors.empty()) << json(errors).dump(1);
  EXPECT_EQ(j["entries"]["total"], 5);
  EXPECT_EQ(j["entries"]["by_state"]["completed"], 2);
  EXPECT_EQ(j["entries"]["by_state"]["failed"], 3);
  EXPECT_DOUBLE_EQ(j["success_rate"].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(j["wall_time_seconds"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(j["throughput_entries_per_second"].get<double>(), 0.5);
  EXPECT_EQ(j["requests"]["total"], 5);
  EXPECT_EQ(j["requests"]["http_429"], 1);
  EXPECT_EQ(j["requests"]["failed"], 2);
  EXPECT_EQ(j["requests"]["by_endpoint"]["submit"], 4);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p50"].get<double>(), 70.0);
  // Buckets: 3 -> <=5, 7 -> <=10, 70 -> <=100, 700 -> <=1000, 1e6 -> +Inf.
  std::int64_t total = 0;
  for (const auto& b : j["latency_histogram_ms"]) total += b["count"].get<std::int64_t>();
  EXPECT_EQ(total, 5);
  EXPECT_EQ(j["latency_histogram_ms"].back()["le"], nullptr);
  EXPECT_EQ(j["latency_histogram_ms"].back()["count"], 1);
  EXPECT_EQ(j["latency_histogram_ms"][0]["count"], 1);
  EXPECT_EQ(j["attempts"]["max"], 3);
  EXPECT_EQ(j["attempts"]["distribution"][0], json({{"attempts", 1}, {"entries", 2}}));
  EXPECT_EQ(j["waits"]["rate_limit_seconds"], nullptr);  // b1 ran before waits were recorded
  EXPECT_NE(j["waits"]["reason"].get<std::string>().find("not recorded for 1 of 1 batches"),
            std::string::npos);
  // Completions at +1 s and +8 s, failures at +3, +5, +6 s.
  std::int64_t ok = 0, bad = 0;
  for (const auto& b : j["timeline"]["buckets"]) {
    ok += b["completed"].get<std::int64_t>();
    bad += b["failed"].get<std::int64_t>();
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(bad, 3);
  EXPECT_EQ(j["timeline"]["start"], "2026-01-01T10:00:01.000Z");
}

TEST_F(ReportWriterTest, AllBatchesScopeExcludesUnclaimedEntries) {
  const json j = json::parse(Write(ReportType::kSummary, ReportFormat::kJson, std::nullopt));
  EXPECT_EQ(j["batch_id"], nullptr);
  EXPECT_EQ(j["batches"].size(), 2u);
  EXPECT_EQ(j["entries"]["total"], 6);  // 'g' was never claimed
  EXPECT_DOUBLE_EQ(j["wall_time_seconds"].get<double>(), 14.0);
}

// Waits are summed over the batches that recorded them; the reason names how
// many did not.
TEST_F(ReportWriterTest, WaitsAreSummedOverTheBatchesThatRecordedThem) {
  BatchUpdate update;
  update.add_retry_after_wait_seconds = 2.5;
  update.add_breaker_open_seconds = 0;
  ASSERT_TRUE(store_->UpdateBatch("b1", update).ok());
  update.add_retry_after_wait_seconds = 1.25;  // a second run of b1 adds to the first
  update.add_breaker_open_seconds = 4;
  ASSERT_TRUE(store_->UpdateBatch("b1", update).ok());
  const json one = json::parse(Write(ReportType::kSummary, ReportFormat::kJson, "b1"));
  EXPECT_TRUE(testing::SchemaLite(LoadSchema("summary")).Validate(one).empty());
  EXPECT_DOUBLE_EQ(one["waits"]["rate_limit_seconds"].get<double>(), 3.75);
  EXPECT_DOUBLE_EQ(one["waits"]["circuit_breaker_open_seconds"].get<double>(), 4.0);
  EXPECT_EQ(one["waits"]["reason"], nullptr);
  EXPECT_DOUBLE_EQ(one["batches"][0]["retry_after_wait_seconds"].get<double>(), 3.75);

  const json all = json::parse(Write(ReportType::kSummary, ReportFormat::kJson, std::nullopt));
  EXPECT_DOUBLE_EQ(all["waits"]["rate_limit_seconds"].get<double>(), 3.75);
  EXPECT_NE(all["waits"]["reason"].get<std::string>().find("not recorded for 1 of 2 batches"),
            std::string::npos);
  const std::string md = Write(ReportType::kSummary, ReportFormat::kMarkdown, "b1");
  EXPECT_NE(md.find("| paused on Retry-After (s) | 3.8 |"), std::string::npos) << md;
}

TEST_F(ReportWriterTest, UnknownBatchIsNotFound) {
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    ReportRequest req;
    req.scope.batch_id = "nope";
    req.type = type;
    std::ostringstream out;
    EXPECT_EQ(WriteReport(store_->queries(), req, out).code(), StatusCode::kNotFound);
  }
}

// The scope is checked before the first byte: an unknown batch leaves the
// stream empty, not holding the start of a document (issue 21, item 6).
TEST_F(ReportWriterTest, UnknownBatchWritesNothing) {
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    for (ReportFormat format :
         {ReportFormat::kJson, ReportFormat::kCsv, ReportFormat::kMarkdown, ReportFormat::kHtml}) {
      SCOPED_TRACE(std::string(ReportTypeName(type)) + " " + ReportFormatName(format));
      ReportRequest req;
      req.scope.batch_id = "nope";
      req.type = type;
      req.format = format;
      std::ostringstream out;
      EXPECT_EQ(WriteReport(store_->queries(), req, out).code(), StatusCode::kNotFound);
      EXPECT_EQ(out.str(), "");
    }
  }
}

TEST_F(ReportWriterTest, ErrorPatternsGroupNormalisedMessages) {
  const json j = json::parse(Write(ReportType::kErrors, ReportFormat::kJson, "b1"));
  auto errors = testing::SchemaLite(LoadSchema("errors")).Validate(j);
  EXPECT_TRUE(errors.empty()) << json(errors).dump(1);
  EXPECT_EQ(j["failures"], 3);
  ASSERT_EQ(j["patterns"].size(), 2u);
  const json& top = j["patterns"][0];
  EXPECT_EQ(top["pattern"], "job <n> failed after <n> ms");
  EXPECT_EQ(top["count"], 2);
  EXPECT_EQ(top["error_type"], "job_failed");
  EXPECT_EQ(top["examples"], json({"c", "d"}));
  EXPECT_EQ(top["first_seen"], "2026-01-01T10:00:03.000Z");
  EXPECT_EQ(top["last_seen"], "2026-01-01T10:00:05.000Z");
  EXPECT_EQ(j["patterns"][1]["count"], 1);
  EXPECT_EQ(j["patterns"][1]["examples"], json({kHostileId}));
  EXPECT_EQ(j["patterns"][1]["http_status"], 500);
  ASSERT_EQ(j["request_errors"].size(), 2u);
}

TEST_F(ReportWriterTest, DetailedJsonStreamsEveryEntryInIdOrder) {
  const json j = json::parse(Write(ReportType::kDetailed, ReportFormat::kJson, "b1"));
  auto errors = testing::SchemaLite(LoadSchema("detailed")).Validate(j);
  EXPECT_TRUE(errors.empty()) << json(errors).dump(1);
  ASSERT_EQ(j["entries"].size(), 5u);
  EXPECT_EQ(j["entry_count"], 5);
  EXPECT_EQ(j["entries"][0]["entry_id"], "a");
  EXPECT_EQ(j["entries"][0]["latency_ms"], 12.5);
  EXPECT_EQ(j["entries"][0]["error"], nullptr);
  const json& b = j["entries"][1];
  EXPECT_EQ(b["requests"], 3);
  EXPECT_DOUBLE_EQ(b["request_ms_total"].get<double>(), 777.0);
  EXPECT_EQ(b["error"], nullptr);  // completed: the stale last_error is not shown
  EXPECT_EQ(j["entries"][2]["error_type"], "job_failed");
  EXPECT_EQ(j["entries"][2]["http_status"], 200);
  EXPECT_EQ(j["entries"][4]["entry_id"], kHostileId);
}

TEST_F(ReportWriterTest, DetailedPagesCoverMoreThanOnePage) {
  Exec("INSERT INTO batch_jobs (id, total_entries) VALUES ('big', 12000)");
  Exec(
      "INSERT INTO cython_entries (id, code, batch_id, processing_status) SELECT 'p' || "
      "lpad(CAST(i AS VARCHAR), 6, '0'), 'x', 'big', 'completed' FROM range(12000) t(i)");
  std::int64_t n = 0;
  std::string last;
  Scope scope;
  scope.batch_id = "big";
  Status st = StreamDetailRows(store_->queries(), scope, [&](const DetailRow& r) {
    EXPECT_LT(last, r.entry_id);
    last = r.entry_id;
    ++n;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(n, 12000);
  // A sink error stops the stream and comes back.
  n = 0;
  st = StreamDetailRows(store_->queries(), scope, [&](const DetailRow&) {
    return ++n == 7000 ? IoError("disk full") : Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_EQ(n, 7000);
}

TEST_F(ReportWriterTest, CsvOutputsAreRectangularRfc4180) {
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    SCOPED_TRACE(ReportTypeName(type));
    std::string error;
    auto rows = testing::ParseCsv(Write(type, ReportFormat::kCsv, "b1"), &error);
    ASSERT_TRUE(rows) << error;
    ASSERT_GT(rows->size(), 1u);
    if (type == ReportType::kDetailed) {
      EXPECT_EQ((*rows)[0], DetailColumns());
      EXPECT_EQ(rows->size(), 6u);
      EXPECT_EQ((*rows)[5][0], kHostileId);
      EXPECT_EQ((*rows)[5][9], "http_500: \"<b>bad\"\n\xEF\xBF\xBD");  // control char replaced
    }
    if (type == ReportType::kErrors) {
      EXPECT_EQ(rows->size(), 3u);
    }
  }
}

TEST_F(ReportWriterTest, MarkdownTablesKeepTheirShape) {
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    SCOPED_TRACE(ReportTypeName(type));
    const std::string md = Write(type, ReportFormat::kMarkdown, "b1");
    std::string error;
    int tables = 0;
    EXPECT_TRUE(testing::CheckMarkdownTables(md, &error, &tables)) << error << "\n" << md;
    EXPECT_GE(tables, 1);
    EXPECT_EQ(md.find("<script>"), std::string::npos);
  }
}

TEST_F(ReportWriterTest, HtmlIsWellFormedSelfContainedAndEscaped) {
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    SCOPED_TRACE(ReportTypeName(type));
    const std::string html = Write(type, ReportFormat::kHtml, "b1");
    std::string error;
    EXPECT_TRUE(testing::CheckHtml(html, &error)) << error;
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  }
  const std::string html = Write(ReportType::kSummary, ReportFormat::kHtml, "b1");
  for (const char* chart :
       {"Entries by state", "Entries finished per", "latency bucket", "number of attempts"}) {
    EXPECT_NE(html.find(chart), std::string::npos) << chart;
  }
  EXPECT_NE(html.find("job &lt;n&gt; failed after &lt;n&gt; ms"), std::string::npos);
}

TEST_F(ReportWriterTest, AnEmptyDatabaseStillReports) {
  Exec(
      "DELETE FROM api_requests; DELETE FROM processing_errors; DELETE FROM python_entries; "
      "DELETE FROM cython_entries; DELETE FROM batch_jobs");
  for (ReportType type : {ReportType::kSummary, ReportType::kDetailed, ReportType::kErrors}) {
    for (ReportFormat f :
         {ReportFormat::kJson, ReportFormat::kCsv, ReportFormat::kMarkdown, ReportFormat::kHtml}) {
      const std::string out = Write(type, f, std::nullopt);
      EXPECT_FALSE(out.empty());
      if (f == ReportFormat::kJson) {
        const json j = json::parse(out);
        auto errors = testing::SchemaLite(LoadSchema(ReportTypeName(type))).Validate(j);
        EXPECT_TRUE(errors.empty()) << json(errors).dump(1);
      }
    }
  }
}

}  // namespace
}  // namespace cnake::report
