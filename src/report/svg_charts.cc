#include "report/svg_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/text_escape.h"

namespace cnake::report {
namespace {

constexpr double kWidth = 760, kHeight = 260;
constexpr double kLeft = 56, kRight = 12, kTop = 28, kBottom = 48;

// A round axis maximum at or above `v` (1, 2, 5 × 10^k).
double NiceMax(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

std::string Num(double v) { return fmt::format("{:g}", std::round(v * 1000) / 1000); }

std::string Open(std::string_view title, double height) {
  const std::string t = HtmlEscape(title);
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" "
      "width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>"
      "<text class=\"chart-title\" x=\"{x}\" y=\"18\">{t}</text>",
      fmt::arg("w", kWidth), fmt::arg("h", height), fmt::arg("t", t), fmt::arg("x", kLeft));
}

std::string YAxis(double max, double plot_h) {
  std::string out;
  for (int i = 0; i <= 4; ++i) {
    const double v = max * i / 4, y = kTop + plot_h - plot_h * i / 4;
    out += fmt::format(
        "<line class=\"grid\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>"
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>",
        kLeft, y, kWidth - kRight, y, kLeft - 6, y + 4, Num(v));
  }
  return out;
}

}  // namespace

std::string BarChartSvg(std::string_view title, const std::vector<std::string>& labels,
                        const std::vector<ChartSeries>& series, std::string_view x_label,
                        std::string_view y_label) {
  const std::size_t n = labels.size();
  std::vector<double> totals(n, 0);
  for (const ChartSeries& s : series) {
    for (std::size_t i = 0; i < n && i < s.values.size(); ++i)
      totals[i] += std::max(0.0, s.values[i]);
  }
  const double max = NiceMax(n ? *std::max_element(totals.begin(), totals.end()) : 0);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  std::string out = Open(title, kHeight) + YAxis(max, plot_h);
  const double slot = n ? plot_w / n : plot_w;
  const double bar_w = std::max(1.0, slot * 0.8);
  const std::size_t label_every =
      std::max<std::size_t>(1, static_cast<std::size_t>(n * 48 / plot_w) + 1);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = kLeft + slot * i + (slot - bar_w) / 2;
    double base = kTop + plot_h;
    std::string tip = HtmlEscape(labels[i]);
    for (const ChartSeries& s : series) {
      const double v = i < s.values.size() ? std::max(0.0, s.values[i]) : 0;
      tip += fmt::format(" | {}: {}", HtmlEscape(s.name), Num(v));
    }
    out += fmt::format("<g><title>{}</title>", tip);
    for (const ChartSeries& s : series) {
      const double v = i < s.values.size() ? std::max(0.0, s.values[i]) : 0;
      const double h = plot_h * v / max;
      if (h <= 0) continue;
      base -= h;
      out += fmt::format(
          "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\"/>",
          HtmlEscape(s.css_class), x, base, bar_w, h);
    }
    out += "</g>";
    if (i % label_every == 0) {
      out += fmt::format(
          "<text class=\"tick\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>",
          x + bar_w / 2, kTop + plot_h + 16, HtmlEscape(labels[i]));
    }
  }
  out += fmt::format(
      "<text class=\"axis-label\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>"
      "<text class=\"axis-label\" x=\"12\" y=\"{:.1f}\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 12 {:.1f})\">{}</text>",
      kLeft + plot_w / 2, kHeight - 8, HtmlEscape(x_label), kTop + plot_h / 2, kTop + plot_h / 2,
      HtmlEscape(y_label));
  // Legend, right-aligned in the title row.
  double lx = kWidth - kRight;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    const std::string name = HtmlEscape(it->name);
    lx -= 14 + 7.0 * it->name.size();
    out += fmt::format(
        "<rect class=\"{}\" x=\"{:.1f}\" y=\"9\" width=\"10\" height=\"10\"/>"
        "<text class=\"tick\" x=\"{:.1f}\" y=\"18\">{}</text>",
        HtmlEscape(it->css_class), lx, lx + 13, name);
    lx -= 8;
  }
  return out + "</svg>";
}

std::string HorizontalBarsSvg(std::string_view title, const std::vector<HorizontalBar>& bars) {
  constexpr double kRow = 24, kLabelW = 120;
  const double height = kTop + kRow * std::max<std::size_t>(1, bars.size()) + 8;
  double max = 0;
  for (const HorizontalBar& b : bars) max = std::max(max, b.value);
  max = NiceMax(max);
  const double plot_w = kWidth - kLabelW - kRight - 80;
  std::string out = Open(title, height);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const HorizontalBar& b = bars[i];
    const double y = kTop + kRow * i, w = plot_w * std::max(0.0, b.value) / max;
    const std::string label = HtmlEscape(b.label);
    out += fmt::format(
        "<g><title>{l}: {v}</title><text class=\"tick\" x=\"{lx:.1f}\" y=\"{ty:.1f}\" "
        "text-anchor=\"end\">{l}</text><rect class=\"{c}\" x=\"{x:.1f}\" y=\"{y:.1f}\" "
        "width=\"{w:.1f}\" height=\"{h:.1f}\"/><text class=\"tick\" x=\"{vx:.1f}\" "
        "y=\"{ty:.1f}\">{v}</text></g>",
        fmt::arg("l", label), fmt::arg("v", Num(b.value)), fmt::arg("lx", kLabelW - 8),
        fmt::arg("ty", y + 16), fmt::arg("c", HtmlEscape(b.css_class)), fmt::arg("x", kLabelW),
        fmt::arg("y", y + 4), fmt::arg("w", w), fmt::arg("h", kRow - 8),
        fmt::arg("vx", kLabelW + w + 6));
  }
  return out + "</svg>";
}

}  // namespace cnake::report
