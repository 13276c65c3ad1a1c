#include <gtest/gtest.h>

#include "importer/importer.h"

namespace cnake {
namespace {

using Tags = std::vector<std::string>;

TEST(ParseModuleDocstring, TripleDoubleQuotes) {
  DocstringInfo info =
      ParseModuleDocstring("\"\"\"Vector helpers.\n\nMore text.\n\"\"\"\ncdef int x\n");
  EXPECT_EQ(info.description, "Vector helpers.");
  EXPECT_TRUE(info.tags.empty());
}

TEST(ParseModuleDocstring, SingleQuoteForms) {
  EXPECT_EQ(ParseModuleDocstring("'''Triple single.'''\n").description, "Triple single.");
  EXPECT_EQ(ParseModuleDocstring("'One line, single.'\nx = 1\n").description, "One line, single.");
  EXPECT_EQ(ParseModuleDocstring("\"One line, double.\"  # note\n").description,
            "One line, double.");
}

TEST(ParseModuleDocstring, Prefixes) {
  EXPECT_EQ(ParseModuleDocstring("r\"\"\"Raw \\d+ pattern.\"\"\"\n").description,
            "Raw \\d+ pattern.");
  EXPECT_EQ(ParseModuleDocstring("R'Raw upper.'\n").description, "Raw upper.");
  EXPECT_EQ(ParseModuleDocstring("u\"\"\"Unicode prefix.\"\"\"\n").description, "Unicode prefix.");
  // Bytes and f-strings are not docstrings.
  EXPECT_EQ(ParseModuleDocstring("b\"\"\"Bytes.\"\"\"\n").description, std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("f\"\"\"F.\"\"\"\n").description, std::nullopt);
}

TEST(ParseModuleDocstring, NoDocstring) {
  EXPECT_EQ(ParseModuleDocstring("").description, std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("cimport cython\n\"\"\"Too late.\"\"\"\n").description,
            std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("# only a comment\n").description, std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("\"\"\"unterminated\n").description, std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("'single quote cannot\nspan lines'\n").description, std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("\"x\".join(y)\n").description, std::nullopt);
  EXPECT_EQ(ParseModuleDocstring("\"\"\"   \n\n\"\"\"\n").description, std::nullopt);
}

TEST(ParseModuleDocstring, AfterDirectivesEncodingCommentsAndBom) {
  const char* source =
      "\xEF\xBB\xBF# -*- coding: utf-8 -*-\n"
      "# cython: boundscheck=False, wraparound=False\n"
      "# cython: language_level=3\n"
      "\n"
      "  # an indented comment\n"
      "\"\"\"Statistics over memoryviews.\"\"\"\n";
  EXPECT_EQ(ParseModuleDocstring(source).description, "Statistics over memoryviews.");
}

TEST(ParseModuleDocstring, FirstNonEmptyLineAndCrlf) {
  EXPECT_EQ(ParseModuleDocstring("\"\"\"\n\n    Summary on a later line.\n    Second line.\n\"\"\"")
                .description,
            "Summary on a later line.");
  // The description is only the first line even when the sentence wraps.
  EXPECT_EQ(ParseModuleDocstring("\"\"\"Compute the dot\nproduct.\"\"\"").description,
            "Compute the dot");
  DocstringInfo crlf = ParseModuleDocstring(
      "# cython: cdivision=True\r\n\"\"\"\r\nWindows file.\r\n\r\nKeywords: a, b\r\n\"\"\"\r\n");
  EXPECT_EQ(crlf.description, "Windows file.");
  EXPECT_EQ(crlf.tags, (Tags{"a", "b"}));
  EXPECT_EQ(ParseModuleDocstring("\"\"\"Old Mac.\rKeywords: x\r\"\"\"").tags, Tags{"x"});
}

TEST(ParseModuleDocstring, EscapesInNonRawLiterals) {
  EXPECT_EQ(ParseModuleDocstring("\"Say \\\"hi\\\"\"\n").description, "Say \"hi\"");
  EXPECT_EQ(ParseModuleDocstring("'It\\'s'\n").description, "It's");
  EXPECT_EQ(ParseModuleDocstring("\"\"\"First\\nSecond\"\"\"").description, "First");
  EXPECT_EQ(ParseModuleDocstring("\"\"\"Joined \\\nline.\"\"\"").description, "Joined line.");
  // In a raw literal the backslash stays but still protects the quote.
  EXPECT_EQ(ParseModuleDocstring("r'a\\'b'\n").description, "a\\'b");
}

TEST(ParseModuleDocstring, KeywordsVariants) {
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\n\nKeywords: a, b, c\n\"\"\"").tags,
            (Tags{"a", "b", "c"}));
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\nkeywords:a,b\n\"\"\"").tags, (Tags{"a", "b"}));
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\n    KEYWORDS :  x y   z\n\"\"\"").tags,
            (Tags{"x", "y", "z"}));
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\nKeywords: a, , b,, a, b,\n\"\"\"").tags,
            (Tags{"a", "b"}));
  // With commas, a tag may be a phrase.
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\nKeywords: linear algebra, nogil\n\"\"\"").tags,
            (Tags{"linear algebra", "nogil"}));
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\nKeywords:\n\"\"\"").tags, Tags{});
  // Several Keywords lines accumulate.
  EXPECT_EQ(ParseModuleDocstring("\"\"\"D.\nKeywords: a\nKeywords: b, a\n\"\"\"").tags,
            (Tags{"a", "b"}));
  // "Keywords" without a colon is an ordinary line.
  DocstringInfo no_colon = ParseModuleDocstring("\"\"\"\nKeywords are nice.\n\"\"\"");
  EXPECT_EQ(no_colon.description, "Keywords are nice.");
  EXPECT_TRUE(no_colon.tags.empty());
}

TEST(ParseModuleDocstring, KeywordsLineIsNotTheDescription) {
  DocstringInfo info = ParseModuleDocstring("\"\"\"Keywords: a, b\nReal summary.\"\"\"");
  EXPECT_EQ(info.description, "Real summary.");
  EXPECT_EQ(info.tags, (Tags{"a", "b"}));
}

TEST(ParseModuleDocstring, ToleratesArbitraryBytes) {
  // Must not crash or read out of bounds on truncated input.
  const std::string inputs[] = {
      "\"", "'''", "r", "r'", "\"\\", "\"\"\"\\", "#", "\xEF\xBB", std::string("\"\0\"", 3)};
  for (const std::string& input : inputs) (void)ParseModuleDocstring(input);
  EXPECT_EQ(ParseModuleDocstring(std::string("\"a\0b\"", 5)).description, std::string("a\0b", 3));
}

}  // namespace
}  // namespace cnake
