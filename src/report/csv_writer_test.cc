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

// A spreadsheet opening the file runs cells that start with = + - @, tab or
// CR as formulas (=HYPERLINK(...), =cmd|'/c calc'!A1): such cells get a
// leading quote, which makes them text. Numbers stay numbers.
TEST(CsvWriter, NeutralisesSpreadsheetFormulas) {
  EXPECT_EQ(CsvField("=1+1"), "'=1+1");
  EXPECT_EQ(CsvField("+1+1"), "'+1+1");
  EXPECT_EQ(CsvField("-2+3"), "'-2+3");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tcmd"), "'\tcmd");
  EXPECT_EQ(CsvField("\r=1"), "'\xEF\xBF\xBD=1");  // the CR itself becomes U+FFFD
  EXPECT_EQ(CsvField("-"), "'-");
  EXPECT_EQ(CsvField("-e5"), "'-e5");
  EXPECT_EQ(CsvField("=cmd|' /c calc'!A1,x"), "\"'=cmd|' /c calc'!A1,x\"");
  EXPECT_EQ(CsvField("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  for (const char* number : {"-12", "+3.5", "-0.25", "-1e-3", "42", "-.5"}) {
    EXPECT_EQ(CsvField(number), number);
  }
  for (const char* text : {"a=b", "x-1", "mail@example.org", "1-2", " =1"}) {
    EXPECT_EQ(CsvField(text), text[0] == ' ' ? "\"" + std::string(text) + "\"" : text);
  }
  std::ostringstream out;
  CsvWriter csv(out);
  csv.WriteRow({"=2*3", "-7"});
  EXPECT_EQ(out.str(), "'=2*3,-7\r\n");
}

}  // namespace
}  // namespace cnake::report
