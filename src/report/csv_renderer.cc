// CSV (RFC 4180, csv_writer.h): the summary as "field,value" rows (its JSON
// flattened, one leaf per row, field names joined with '.', array elements
// by index: "entries.by_state.completed,40"; nulls are empty), one row per
// error pattern, one row per entry.
#include <fmt/format.h>

#include "report/csv_writer.h"
#include "report/renderer.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

std::string Leaf(const ordered_json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) return fmt::format("{}", v.get<double>());
  return v.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

void Flatten(const std::string& prefix, const ordered_json& v, CsvWriter& csv) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items())
      Flatten(prefix.empty() ? k : prefix + "." + k, child, csv);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) Flatten(prefix + "." + std::to_string(i), v[i], csv);
  } else {
    csv.WriteRow({prefix, Leaf(v)});
  }
}

class CsvRenderer final : public Renderer {
 public:
  explicit CsvRenderer(std::ostream& out) : csv_(out) {}

  void Summary(const SummaryDoc& summary, const ErrorsDoc*) override {
    csv_.WriteRow({"field", "value"});
    Flatten("", SummaryJson(summary), csv_);
  }

  void Errors(const ErrorsDoc& errors) override {
    csv_.WriteRow({"error_type", "http_status", "pattern", "count", "first_seen", "last_seen",
                   "example_1", "example_2", "example_3"});
    for (const ErrorPattern& p : errors.patterns) {
      std::vector<std::string> row = {
          p.error_type, p.http_status ? std::to_string(*p.http_status) : "",
          p.pattern,    std::to_string(p.count),
          p.first_seen, p.last_seen};
      for (std::size_t i = 0; i < kMaxExamples; ++i) {
        row.push_back(i < p.examples.size() ? p.examples[i] : "");
      }
      csv_.WriteRow(row);
    }
  }

  void DetailBegin(const ReportHeader&) override { csv_.WriteRow(DetailColumns()); }
  void DetailEntry(const DetailRow& row) override { csv_.WriteRow(DetailCells(row)); }
  void DetailEnd(std::int64_t) override {}

 private:
  CsvWriter csv_;
};

}  // namespace

std::unique_ptr<Renderer> MakeCsvRenderer(std::ostream& out) {
  return std::make_unique<CsvRenderer>(out);
}

}  // namespace cnake::report
