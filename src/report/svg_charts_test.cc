#include "report/svg_charts.h"

#include <gtest/gtest.h>

namespace cnake::report {
namespace {

int Count(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(SvgCharts, OneBarPerNonZeroValueAndStackedSeries) {
  const std::string svg =
      BarChartSvg("t", {"a", "b", "c"},
                  {{"ok", "s-completed", {1, 0, 3}}, {"bad", "s-failed", {1, 2, 0}}}, "x", "y");
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  // 4 non-zero values, plus the two legend swatches.
  EXPECT_EQ(Count(svg, "<rect class=\"s-completed\""), 2 + 1);
  EXPECT_EQ(Count(svg, "<rect class=\"s-failed\""), 2 + 1);
  EXPECT_NE(svg.find("<title>a | ok: 1 | bad: 1</title>"), std::string::npos);
}

TEST(SvgCharts, TextIsEscaped) {
  const std::string svg =
      HorizontalBarsSvg("<b>", {{"</svg><script>alert(1)</script>", 5, "s-other"}});
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_EQ(Count(svg, "</svg>"), 1);
  EXPECT_NE(svg.find("&lt;/svg&gt;&lt;script&gt;"), std::string::npos);
}

TEST(SvgCharts, EmptyDataStillMakesAChart) {
  const std::string svg = BarChartSvg("empty", {}, {}, "x", "y");
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

}  // namespace
}  // namespace cnake::report
