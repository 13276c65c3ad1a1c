#include "report/tabular_render.h"

#include <fmt/format.h>

#include "report/csv_writer.h"
#include "report/markdown_writer.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

std::string Cell(const ordered_json& v, int precision = 2) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) return fmt::format("{:.{}f}", v.get<double>(), precision);
  return v.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

std::string ScopeText(const ordered_json& doc) {
  return doc["batch_id"].is_null() ? "all batches" : "batch " + doc["batch_id"].get<std::string>();
}

void PatternsMarkdown(MarkdownWriter& md, const ordered_json& errors) {
  md.Heading(2, "Error patterns");
  if (errors["patterns"].empty()) {
    md.Paragraph("No entry failed.");
    return;
  }
  md.TableHeader({"count", "error type", "HTTP", "pattern", "first seen", "last seen", "examples"},
                 {true, false, true, false, false, false, false});
  for (const auto& p : errors["patterns"]) {
    std::string examples;
    for (const auto& e : p["examples"]) examples += (examples.empty() ? "" : ", ") + Cell(e);
    md.TableRow({Cell(p["count"]), Cell(p["error_type"]), Cell(p["http_status"]),
                 Cell(p["pattern"]), Cell(p["first_seen"]), Cell(p["last_seen"]), examples});
  }
  md.EndTable();
  if (errors["request_errors"].empty()) return;
  md.Heading(2, "Failed requests (including retried ones)");
  md.TableHeader({"count", "endpoint", "error type", "HTTP", "first seen", "last seen"},
                 {true, false, false, true, false, false});
  for (const auto& r : errors["request_errors"]) {
    md.TableRow({Cell(r["count"]), Cell(r["endpoint"]), Cell(r["error_type"]),
                 Cell(r["http_status"]), Cell(r["first_seen"]), Cell(r["last_seen"])});
  }
  md.EndTable();
}

void HintsMarkdown(MarkdownWriter& md, std::ostream& out, const ordered_json& errors) {
  if (errors["hints"].empty()) return;
  md.Heading(2, "Hints");
  for (const auto& h : errors["hints"]) out << "- " << MarkdownEscape(Cell(h)) << "\n";
  out << "\n";
}

void Flatten(const std::string& prefix, const ordered_json& v, CsvWriter& csv) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items())
      Flatten(prefix.empty() ? k : prefix + "." + k, child, csv);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) Flatten(prefix + "." + std::to_string(i), v[i], csv);
  } else {
    csv.WriteRow({prefix, v.is_number_float() ? fmt::format("{}", v.get<double>()) : Cell(v)});
  }
}

}  // namespace

void RenderSummaryMarkdown(const ordered_json& s, const ordered_json& errors, std::ostream& out) {
  MarkdownWriter md(out);
  md.Heading(1, "cnake-charmer summary report: " + ScopeText(s));
  md.Paragraph("Generated " + Cell(s["generated_at"]) + ".");
  md.TableHeader({"figure", "value"}, {false, true});
  const ordered_json& lat = s["latency_ms"];
  md.TableRow({"entries", Cell(s["entries"]["total"])});
  md.TableRow({"finished", Cell(s["entries"]["finished"])});
  md.TableRow(
      {"success rate", s["success_rate"].is_null()
                           ? ""
                           : fmt::format("{:.1f}%", 100 * s["success_rate"].get<double>())});
  md.TableRow({"wall time (s)", Cell(s["wall_time_seconds"], 1)});
  md.TableRow({"throughput (entries/s)", Cell(s["throughput_entries_per_second"])});
  md.TableRow({"API requests", Cell(s["requests"]["total"])});
  md.TableRow({"failed requests", Cell(s["requests"]["failed"])});
  md.TableRow({"429 responses", Cell(s["requests"]["http_429"])});
  for (const char* q : {"p50", "p90", "p99", "mean", "max"}) {
    md.TableRow({fmt::format("latency {} (ms)", q), Cell(lat[q], 1)});
  }
  md.TableRow({"mean attempts", Cell(s["attempts"]["mean"])});
  if (s.contains("tokens") && s["tokens"].value("total", std::int64_t{0}) > 0) {
    const auto& t = s["tokens"];
    md.TableRow({"prompt tokens", Cell(t["prompt"])});
    md.TableRow({"completion tokens", Cell(t["completion"])});
    md.TableRow({"tokens per entry", Cell(t["per_entry"], 0)});
    if (t["cost"].is_number()) md.TableRow({"cost", Cell(t["cost"], 4)});
    if (t.value("interrupted_attempts", std::int64_t{0}) > 0) {
      md.TableRow({"interrupted attempts", Cell(t["interrupted_attempts"])});
    }
  }
  const auto& waits = s["waits"];
  for (const auto& [label, key] :
       {std::pair{"paused on Retry-After (s)", "rate_limit_seconds"},
        std::pair{"circuit breaker open (s)", "circuit_breaker_open_seconds"}}) {
    md.TableRow({label, waits[key].is_null() ? "not recorded" : Cell(waits[key], 1)});
  }
  md.EndTable();
  md.Heading(2, "Entries by state");
  md.TableHeader({"state", "entries"}, {false, true});
  for (const auto& [state, n] : s["entries"]["by_state"].items()) md.TableRow({state, Cell(n)});
  md.EndTable();
  md.Heading(2, "Latency histogram (ms)");
  md.TableHeader({"at most", "requests"}, {true, true});
  for (const auto& b : s["latency_histogram_ms"]) {
    md.TableRow({b["le"].is_null() ? "+Inf" : fmt::format("{:g}", b["le"].get<double>()),
                 Cell(b["count"])});
  }
  md.EndTable();
  md.Heading(2, "Attempts per finished entry");
  md.TableHeader({"attempts", "entries"}, {true, true});
  for (const auto& b : s["attempts"]["distribution"]) {
    md.TableRow({Cell(b["attempts"]), Cell(b["entries"])});
  }
  md.EndTable();
  md.Heading(2, "Batches");
  md.TableHeader(
      {"batch", "status", "stop reason", "started", "completed", "wall time (s)", "entries"},
      {false, false, false, false, false, true, true});
  for (const auto& b : s["batches"]) {
    md.TableRow({Cell(b["id"]), Cell(b["status"]), Cell(b["stop_reason"]), Cell(b["started_at"]),
                 Cell(b["completed_at"]), Cell(b["wall_time_seconds"], 1),
                 Cell(b["total_entries"])});
  }
  md.EndTable();
  HintsMarkdown(md, out, errors);
  PatternsMarkdown(md, errors);
}

void RenderErrorsMarkdown(const ordered_json& errors, std::ostream& out) {
  MarkdownWriter md(out);
  md.Heading(1, "cnake-charmer errors report: " + ScopeText(errors));
  md.Paragraph("Generated " + Cell(errors["generated_at"]) + "; " + Cell(errors["failures"]) +
               " failures in " + std::to_string(errors["patterns"].size()) + " patterns.");
  HintsMarkdown(md, out, errors);
  PatternsMarkdown(md, errors);
}

void RenderSummaryCsv(const ordered_json& summary, std::ostream& out) {
  CsvWriter csv(out);
  csv.WriteRow({"field", "value"});
  Flatten("", summary, csv);
}

void RenderErrorsCsv(const ordered_json& errors, std::ostream& out) {
  CsvWriter csv(out);
  csv.WriteRow({"error_type", "http_status", "pattern", "count", "first_seen", "last_seen",
                "example_1", "example_2", "example_3"});
  for (const auto& p : errors["patterns"]) {
    std::vector<std::string> row = {Cell(p["error_type"]), Cell(p["http_status"]),
                                    Cell(p["pattern"]),    Cell(p["count"]),
                                    Cell(p["first_seen"]), Cell(p["last_seen"])};
    for (std::size_t i = 0; i < 3; ++i)
      row.push_back(i < p["examples"].size() ? Cell(p["examples"][i]) : "");
    csv.WriteRow(row);
  }
}

}  // namespace cnake::report
