// Opens HTML reports in a real headless Chromium and fails when the page
// logs anything to the console (script errors, Content-Security-Policy
// violations, failed loads) or does not render its charts. The page is made
// from a database holding hostile entry ids and error messages (markup,
// script tags, quotes), so an escaping bug shows up as an executed or
// blocked script. Two planted defects prove the detection works. The
// screenshot is kept in the build directory as a test artefact.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "report/report_writer.h"
#include "store/duckdb/duckdb_store.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace cnake {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";
const std::string kArtefacts = std::string(CNAKE_BINARY_DIR) + "/tests/browser";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct PageResult {
  int exit_code = -1;
  std::vector<std::string> console;  // console messages Chromium logged
  std::string dom;                   // with --dump-dom
};

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kChromium, X_OK) != 0)
      GTEST_SKIP() << kChromium << " is missing (scripts/bootstrap.sh installs it)";
    auto store = DuckDbStore::Open({dir_.File("r.duckdb"), {}, {}});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto& c = (*store)->connection();
    const std::string evil =
        "'<script>console.error(\"xss\")</script><img src=x onerror=alert(1)>'";
    ASSERT_TRUE(
        c.Execute("INSERT INTO batch_jobs (id, total_entries, status, started_at, completed_at) "
                  "VALUES ('b1', 300, 'completed', TIMESTAMP '2026-01-01 10:00:00', TIMESTAMP "
                  "'2026-01-01 10:05:00');"
                  "INSERT INTO cython_entries (id, code, batch_id, processing_status, attempts, "
                  "python_id, last_error) SELECT CASE WHEN i = 7 THEN " +
                  evil +
                  " ELSE 'entry-' || i END, 'x', 'b1', CASE WHEN i % 9 = 0 THEN 'failed' ELSE "
                  "'completed' END, 1 + i % 3, 'py:' || i, 'http_500: ' || " +
                  evil +
                  " FROM range(300) t(i);"
                  "INSERT INTO python_entries (id, code, cython_id, metadata, generated_at) "
                  "SELECT 'py:' || i, 'y', 'entry-' || i, '{\"latency_ms\": 5}', TIMESTAMP "
                  "'2026-01-01 10:00:00' + INTERVAL (i) SECOND FROM range(300) t(i) WHERE i % 9 "
                  "<> 0;"
                  "INSERT INTO processing_errors (id, entry_id, batch_id, error_message, "
                  "error_type, occurred_at, http_status) SELECT CAST(i AS VARCHAR), CASE WHEN i "
                  "= 0 THEN " +
                  evil +
                  " ELSE 'entry-' || i END, 'b1', CASE WHEN i % 2 = 0 "
                  "THEN " +
                  evil +
                  " ELSE 'job ' || i || ' failed after ' || (i * 7) || ' ms' END, "
                  "'job_failed', TIMESTAMP '2026-01-01 10:00:00' + INTERVAL (i) SECOND, 200 FROM "
                  "range(0, 300, 9) t(i);"
                  "INSERT INTO api_requests "
                  "(batch_id, entry_id, attempt, endpoint, http_status, latency_ms, error_type, "
                  "occurred_at) SELECT 'b1', 'entry-' || i, 1, 'submit', CASE WHEN "
                  "i % 10 = 0 THEN 429 ELSE 200 END, (i * 37) % 3000, CASE WHEN i % 10 = 0 THEN "
                  "'http_429' END, TIMESTAMP '2026-01-01 10:00:00' + INTERVAL (i) SECOND FROM "
                  "range(600) t(i);")
            .ok());
    for (report::ReportType type : {report::ReportType::kSummary, report::ReportType::kErrors,
                                    report::ReportType::kDetailed}) {
      report::ReportRequest req;
      req.scope.batch_id = "b1";
      req.type = type;
      req.format = report::ReportFormat::kHtml;
      req.generated_at = "2026-01-02T00:00:00.000Z";
      std::ostringstream out;
      ASSERT_TRUE(report::WriteReport((*store)->queries(), req, out).ok());
      pages_[report::ReportTypeName(type)] = out.str();
    }
  }

  // Loads `html` (written to a file) in headless Chromium; `mode` is
  // "--dump-dom" or "--screenshot=<png>".
  PageResult Load(const std::string& name, const std::string& html, const std::string& mode) {
    const std::string file = dir_.File(name);
    WriteFile(file, html);
    const std::string profile = dir_.File("profile-" + name);
    std::vector<std::string> argv = {kChromium,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--no-first-run",
                                     "--no-default-browser-check",
                                     "--user-data-dir=" + profile,
                                     "--enable-logging=stderr",
                                     "--v=0",
                                     "--window-size=1280,2000",
                                     mode,
                                     "file://" + file};
    testing::ProcessResult r = testing::RunProcess(
        argv, {{"HOME", dir_.path().string()}, {"PATH", "/usr/bin:/bin"}}, dir_.path().string());
    PageResult page;
    page.exit_code = r.exit_code;
    page.dom = r.out;
    std::istringstream lines(r.err);
    for (std::string line; std::getline(lines, line);) {
      // Console messages: "[pid:tid:time:LEVEL:CONSOLE(line)] "text", source: ..." (the
      // format varies between versions: CONSOLE:1 or CONSOLE(1)).
      if (line.find(":CONSOLE") != std::string::npos ||
          line.find("Uncaught") != std::string::npos) {
        page.console.push_back(line);
      }
    }
    return page;
  }

  testing::TempDir dir_;
  std::map<std::string, std::string> pages_;
};

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

TEST_F(ReportBrowserTest, SummaryRendersItsChartsWithoutConsoleMessages) {
  fs::create_directories(kArtefacts);
  const std::string png = kArtefacts + "/report.png";
  fs::remove(png);
  PageResult shot = Load("summary.html", pages_["summary"], "--screenshot=" + png);
  EXPECT_EQ(shot.exit_code, 0);
  EXPECT_TRUE(shot.console.empty()) << Join(shot.console);
  ASSERT_TRUE(fs::exists(png));
  const std::string bytes = ReadFile(png);
  EXPECT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_GT(bytes.size(), 10000u) << "a blank page?";
  WriteFile(kArtefacts + "/report.html", pages_["summary"]);

  PageResult dom = Load("summary-dom.html", pages_["summary"], "--dump-dom");
  EXPECT_TRUE(dom.console.empty()) << Join(dom.console);
  // The four charts rendered as SVG elements, with their bars.
  const std::regex svg("<svg[^>]*class=\"chart\"");
  EXPECT_EQ(std::distance(std::sregex_iterator(dom.dom.begin(), dom.dom.end(), svg),
                          std::sregex_iterator()),
            4)
      << dom.dom.substr(0, 2000);
  EXPECT_NE(dom.dom.find("<rect class=\"s-completed\""), std::string::npos);
  // The hostile text arrived as text: no element was created from it.
  EXPECT_EQ(dom.dom.find("<img src=\"x\""), std::string::npos);
  EXPECT_EQ(dom.dom.find("<script"), std::string::npos);
  EXPECT_NE(dom.dom.find("&lt;script&gt;console.error"), std::string::npos);
}

// The errors page is a part of the summary page; the detailed page is the
// other template.
TEST_F(ReportBrowserTest, DetailedPageLogsNothing) {
  PageResult dom = Load("detailed.html", pages_["detailed"], "--dump-dom");
  EXPECT_EQ(dom.exit_code, 0);
  EXPECT_TRUE(dom.console.empty()) << Join(dom.console);
  EXPECT_NE(dom.dom.find("</table>"), std::string::npos);
  EXPECT_EQ(dom.dom.find("<img src=\"x\""), std::string::npos);
}

// The detection is real: a script error planted in a copy of the page (its
// Content-Security-Policy removed so that the script runs) is caught. With
// the policy in place the same script is blocked, which Chromium also logs
// to the console, so that case is caught by the same check.
TEST_F(ReportBrowserTest, PlantedScriptErrorIsDetected) {
  std::string broken = pages_["errors"];
  const auto csp = broken.find("<meta http-equiv=\"Content-Security-Policy\"");
  ASSERT_NE(csp, std::string::npos);
  broken.erase(csp, broken.find('>', csp) + 1 - csp);
  broken.insert(broken.find("</body>"), "<script>undefinedReportFunction();</script>");
  PageResult page = Load("planted-error.html", broken, "--dump-dom");
  ASSERT_FALSE(page.console.empty()) << "a script error went unnoticed";
  EXPECT_NE(Join(page.console).find("undefinedReportFunction"), std::string::npos)
      << Join(page.console);
}

}  // namespace
}  // namespace cnake
