#include "report/csv_writer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace cnake::report {
namespace {

TEST(CsvWriter, QuotesOnlyWhenNeededAndDoublesQuotes) {
  std::ostringstream out;
  CsvWriter csv(out);
  csv.WriteRow({"plain", "a,b", "say \"hi\"", "line\nbreak", " padded", ""});
  EXPECT_EQ(out.str(), "plain,\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",\" padded\",\r\n");
}

TEST(CsvWriter, RowsEndWithCrlfAndInvalidBytesAreReplaced) {
  std::ostringstream out;
  CsvWriter csv(out);
  csv.WriteRow(std::vector<std::string>{"x\xFF", "y"});
  csv.WriteRow(std::vector<std::string>{"z"});
  EXPECT_EQ(out.str(), "x\xEF\xBF\xBD,y\r\nz\r\n");
}

}  // namespace
}  // namespace cnake::report
