#include "report/markdown_writer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cnake::report {
namespace {

TEST(MarkdownWriter, CellsCannotBreakTheTableOrInjectMarkup) {
  std::ostringstream out;
  MarkdownWriter md(out);
  md.TableHeader({"id", "n"}, {false, true});
  md.TableRow({"a|b\nc <img src=x> [l](u) *x*", "1"});
  md.TableRow({"only one cell"});
  md.TableRow({"x", "y", "dropped"});
  md.EndTable();
  EXPECT_EQ(out.str(),
            "| id | n |\n| --- | ---: |\n"
            "| a\\|b c &lt;img src=x&gt; \\[l\\](u) \\*x\\* | 1 |\n"
            "| only one cell |  |\n"
            "| x | y |\n\n");
}

TEST(MarkdownWriter, HeadingsAreEscapedAndClamped) {
  std::ostringstream out;
  MarkdownWriter md(out);
  md.Heading(9, "# not a heading");
  EXPECT_EQ(out.str(), "###### \\# not a heading\n\n");
}

}  // namespace
}  // namespace cnake::report
