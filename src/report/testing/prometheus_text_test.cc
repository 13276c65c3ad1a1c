#include "report/testing/prometheus_text.h"

#include <gtest/gtest.h>

#include "engine/snapshot_json.h"

namespace cnake::report::testing {
namespace {

bool Parses(const std::string& text, std::string* error = nullptr) {
  PrometheusTextParser p;
  const bool ok = p.Parse(text);
  if (error) *error = p.error();
  return ok;
}

const char* kGoodHistogram =
    "# HELP h_ms Latency.\n# TYPE h_ms histogram\n"
    "h_ms_bucket{le=\"5\"} 1\nh_ms_bucket{le=\"10\"} 3\nh_ms_bucket{le=\"+Inf\"} 4\n"
    "h_ms_sum 31.5\nh_ms_count 4\n";

TEST(PrometheusText, AcceptsWellFormedFamilies) {
  std::string error;
  EXPECT_TRUE(
      Parses("# HELP a_total Things, with \\\\ and \\n.\n# TYPE a_total counter\n"
             "a_total{kind=\"x\\\"y\",b=\"\"} 3 1700000000000\na_total{kind=\"z\"} 0\n"
             "# TYPE g gauge\ng NaN\ng2 -Inf\n",
             &error))
      << error;
  EXPECT_TRUE(Parses(kGoodHistogram, &error)) << error;
}

TEST(PrometheusText, RejectsSyntaxErrors) {
  EXPECT_FALSE(Parses("1bad 1\n"));
  EXPECT_FALSE(Parses("a{1x=\"v\"} 1\n"));
  EXPECT_FALSE(Parses("a{__x=\"v\"} 1\n"));
  EXPECT_FALSE(Parses("a{x=v} 1\n"));
  EXPECT_FALSE(Parses("a{x=\"v\",} 1\n"));
  EXPECT_FALSE(Parses("a{x=\"v\\t\"} 1\n"));
  EXPECT_FALSE(Parses("a{x=\"v\",x=\"w\"} 1\n"));
  EXPECT_FALSE(Parses("a 1.2.3\n"));
  EXPECT_FALSE(Parses("a 0x10\n"));
  EXPECT_FALSE(Parses("a  1\n"));
  EXPECT_FALSE(Parses("a 1"));  // no final newline
  EXPECT_FALSE(Parses("# TYPE a countr\na 1\n"));
  EXPECT_FALSE(Parses("a 1\n# TYPE a counter\n"));
  EXPECT_FALSE(Parses("a 1\nb 1\na{x=\"1\"} 1\n"));  // not contiguous
  EXPECT_FALSE(Parses("a 1\na 2\n"));                // duplicate series
  EXPECT_FALSE(Parses("# TYPE c counter\nc -1\n"));
}

TEST(PrometheusText, RejectsBrokenHistograms) {
  const std::string head = "# TYPE h histogram\n";
  EXPECT_FALSE(Parses(head + "h_bucket{le=\"5\"} 2\nh_bucket{le=\"10\"} 1\n"
                             "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"));  // not cumulative
  EXPECT_FALSE(Parses(head + "h_bucket{le=\"5\"} 1\nh_bucket{le=\"10\"} 2\nh_sum 1\nh_count 2\n"));
  EXPECT_FALSE(Parses(head + "h_bucket{le=\"5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n"));
  EXPECT_FALSE(Parses(head + "h_bucket{le=\"5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n"));
  EXPECT_FALSE(
      Parses(head + "h_bucket{le=\"5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"));
  EXPECT_FALSE(Parses(head + "h_bucket{le=\"10\"} 1\nh_bucket{le=\"5\"} 1\n"
                             "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"));
  EXPECT_FALSE(Parses(head + "h 1\n"));
}

// The engine's own exposition, with values in every field, passes.
TEST(PrometheusText, EngineMetricsAreValid) {
  engine::Snapshot s;
  s.batch_id = "b-1 \"quoted\"\\";
  s.total = 10;
  s.completed = 4;
  s.failed = 1;
  s.requests = 30;
  s.throttled = 2;
  for (double ms : {1.0, 7.0, 70.0, 700.0, 7000.0, 1e6}) s.latency.Add(ms);
  const std::string text = engine::PrometheusMetrics(s);
  PrometheusTextParser p;
  ASSERT_TRUE(p.Parse(text)) << p.error() << "\n" << text;
  bool histogram = false;
  for (const auto& f : p.families()) histogram |= f.type == "histogram";
  EXPECT_TRUE(histogram) << text;
}

}  // namespace
}  // namespace cnake::report::testing
