// Inline SVG charts for the HTML report: no scripts, no external resources.
// Every text (labels, titles, series names) is escaped; numbers are written
// with fixed precision. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cnake::report {

struct ChartSeries {
  std::string name;
  std::string css_class;       // fill colour comes from the page's stylesheet
  std::vector<double> values;  // one per label; negative values count as 0
};

// Vertical bars, one per label, series stacked bottom-up. Labels under the
// bars are thinned out when they would overlap; every bar carries a <title>
// with its label and values (a tooltip).
std::string BarChartSvg(std::string_view title, const std::vector<std::string>& labels,
                        const std::vector<ChartSeries>& series, std::string_view x_label,
                        std::string_view y_label);

struct HorizontalBar {
  std::string label;
  double value = 0;
  std::string css_class;
};

// One horizontal bar per item, the value written after it.
std::string HorizontalBarsSvg(std::string_view title, const std::vector<HorizontalBar>& bars);

}  // namespace cnake::report
