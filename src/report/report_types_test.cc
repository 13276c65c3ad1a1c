// Report type and format names: the format table is the one list of formats.
#include "report/report_types.h"

#include <gtest/gtest.h>

#include <sstream>

#include "report/renderer.h"

namespace cnake::report {
namespace {

TEST(ReportTypes, ErrorIsAnAliasOfErrors) {
  ASSERT_TRUE(ParseReportType("error").ok());
  EXPECT_EQ(*ParseReportType("error"), ReportType::kErrors);
  EXPECT_EQ(*ParseReportType("errors"), ReportType::kErrors);
  EXPECT_STREQ(ReportTypeName(ReportType::kErrors), "errors");
  EXPECT_EQ(ParseReportType("everything").status().code(), StatusCode::kInvalidArgument);
  const auto names = ReportTypeNames();
  EXPECT_NE(std::find(names.begin(), names.end(), "error"), names.end());
}

TEST(ReportTypes, FormatsComeFromTheFormatTable) {
  EXPECT_EQ(*ParseReportFormat("markdown"), ReportFormat::kMarkdown);
  EXPECT_EQ(*ParseReportFormat("md"), ReportFormat::kMarkdown);
  const Status unknown = ParseReportFormat("pdf").status();
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("json, md, html, csv"), std::string::npos) << unknown.message();
  EXPECT_EQ(FormatFromPath("out/r.htm"), ReportFormat::kHtml);
  EXPECT_EQ(FormatFromPath("r.CSV"), std::nullopt);
  EXPECT_EQ(FormatFromPath("dir.md/report"), std::nullopt);
  // Every format in the table round-trips through its names and makes a renderer.
  for (const FormatSpec& f : ReportFormats()) {
    SCOPED_TRACE(f.names.front());
    EXPECT_EQ(*ParseReportFormat(ReportFormatName(f.format)), f.format);
    for (std::string_view ext : f.extensions) {
      EXPECT_EQ(FormatFromPath("r." + std::string(ext)), f.format);
    }
    std::ostringstream out;
    EXPECT_NE(MakeRenderer(f.format, out), nullptr);
  }
}

}  // namespace
}  // namespace cnake::report
