// JSON: the documents of docs/schemas; the detailed report streams its
// entries array element by element.
#include "report/renderer.h"

namespace cnake::report {
namespace {

using nlohmann::ordered_json;

std::string Dump(const ordered_json& j, int indent) {
  // Database text may be invalid UTF-8 (a hostile API); never throw on it.
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

class JsonRenderer final : public Renderer {
 public:
  explicit JsonRenderer(std::ostream& out) : out_(out) {}

  void Summary(const SummaryDoc& summary, const ErrorsDoc*) override {
    out_ << Dump(SummaryJson(summary), 2) << "\n";
  }
  void Errors(const ErrorsDoc& errors) override { out_ << Dump(ErrorsJson(errors), 2) << "\n"; }

  // A header, then the entries array written element by element.
  void DetailBegin(const ReportHeader& h) override {
    const ordered_json head = {
        {"report_type", ReportTypeName(ReportType::kDetailed)},
        {"schema_version", kReportSchemaVersion},
        {"generated_at", h.generated_at},
        {"batch_id", h.batch_id ? ordered_json(*h.batch_id) : ordered_json()}};
    std::string text = Dump(head, -1);
    text.pop_back();  // the closing brace: the entries array follows
    out_ << text << ",\"columns\":" << Dump(DetailColumns(), -1) << ",\"entries\":[";
  }
  void DetailEntry(const DetailRow& row) override {
    out_ << (first_ ? "\n" : ",\n") << Dump(DetailJson(row), -1);
    first_ = false;
  }
  void DetailEnd(std::int64_t entries) override {
    out_ << "\n],\"entry_count\":" << entries << "}\n";
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<Renderer> MakeJsonRenderer(std::ostream& out) {
  return std::make_unique<JsonRenderer>(out);
}

}  // namespace cnake::report
