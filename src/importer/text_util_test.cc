#include "importer/text_util.h"

#include <gtest/gtest.h>

#include "importer/importer.h"

namespace cnake::importer {
namespace {

using std::string_literals::operator""s;

TEST(IsValidUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii\r\n"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));          // U+0080, smallest 2-byte
  EXPECT_TRUE(IsValidUtf8("数学/ヘルパー"));     // 3-byte CJK
  EXPECT_TRUE(IsValidUtf8("\xE0\xA0\x80"));      // U+0800, smallest 3-byte
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(IsValidUtf8("\xEE\x80\x80"));      // U+E000, just above surrogates
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600 emoji
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8("a\0b"s));             // NUL is UTF-8; rejected elsewhere
}

TEST(IsValidUtf8, RejectsIllFormedSequences) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));      // surrogate U+DFFF
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));  // lead byte above F4
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));           // lone continuation
  EXPECT_FALSE(IsValidUtf8("\xC3"));           // truncated 2-byte
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));       // truncated 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));   // truncated emoji
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98x"));  // continuation replaced
}

TEST(FindInvalidUtf8, ReportsOffsetOfFirstBadSequence) {
  EXPECT_EQ(FindInvalidUtf8("héllo"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("ab\xFF"), 2u);
  EXPECT_EQ(FindInvalidUtf8("é\xF0\x9F\x98"), 2u);  // start of the truncated sequence
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80ok"), 0u);
}

TEST(EscapeForDisplay, KeepsTextAndEscapesControlAndInvalidBytes) {
  EXPECT_EQ(EscapeForDisplay("with space/数学"), "with space/数学");
  EXPECT_EQ(EscapeForDisplay("a\nb\x7F"), "a\\x0ab\\x7f");
  EXPECT_EQ(EscapeForDisplay("bad\xFF"), "bad\\xff");
  EXPECT_EQ(EscapeForDisplay("c1\xC2\x85"), "c1\\u0085");
  EXPECT_TRUE(IsValidUtf8(EscapeForDisplay("\xC0\xAF\xED\xA0\x80")));
}

TEST(ValidateId, AcceptsSpacesAndUnicode) {
  EXPECT_EQ(ValidateId("math/vector_ops"), std::nullopt);
  EXPECT_EQ(ValidateId("with space"), std::nullopt);
  EXPECT_EQ(ValidateId("数学/ヘルパー"), std::nullopt);
}

TEST(ValidateId, RejectsEmptyControlAndInvalid) {
  ASSERT_TRUE(ValidateId("").has_value());
  EXPECT_NE(ValidateId("")->find("empty"), std::string::npos);
  for (const std::string& bad : {"a\0b"s, "tab\there"s, "new\nline"s, "del\x7F"s, "c1\xC2\x9F"s}) {
    auto problem = ValidateId(bad);
    ASSERT_TRUE(problem.has_value()) << EscapeForDisplay(bad);
    EXPECT_NE(problem->find("control character"), std::string::npos) << *problem;
    EXPECT_TRUE(IsValidUtf8(*problem));
    EXPECT_EQ(problem->find('\0'), std::string::npos);
  }
  auto invalid = ValidateId("x\xFF");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_NE(invalid->find("UTF-8"), std::string::npos);
}

TEST(AppendTags, SplitsTrimsDropsEmptyAndDeduplicates) {
  std::vector<std::string> tags;
  AppendTags(" a, b ,,a c ", /*split_on_space=*/true, tags);
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b", "c"}));
  AppendTags("c, linear algebra , d", /*split_on_space=*/false, tags);
  EXPECT_EQ(tags, (std::vector<std::string>{"a", "b", "c", "linear algebra", "d"}));
}

TEST(FormatBytes, ExactCountWithReadableUnit) {
  EXPECT_EQ(FormatBytes(12), "12 bytes");
  EXPECT_EQ(FormatBytes(1536), "1536 bytes (1.5 KiB)");
  EXPECT_EQ(FormatBytes(5 * 1024 * 1024), "5242880 bytes (5.0 MiB)");
}

TEST(TrimAndBlank, AsciiWhitespace) {
  EXPECT_TRUE(IsBlank(""));
  EXPECT_TRUE(IsBlank(" \t\r\n\f\v"));
  EXPECT_FALSE(IsBlank(" x "));
  EXPECT_EQ(TrimAscii("\t x y \r\n"), "x y");
}

}  // namespace
}  // namespace cnake::importer

namespace cnake::importer {
namespace {

// Independent reference: decode by arithmetic, then apply the Unicode rules.
bool ReferenceIsValid(const unsigned char* s, std::size_t n) {
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    std::size_t len;
    std::uint32_t cp;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07;
    } else
      return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

TEST(IsValidUtf8, AgreesWithReferenceOnAllShortSequences) {
  unsigned char buf[4];
  for (std::uint32_t v = 0; v < (1u << 24); ++v) {  // every 1..3 byte string via prefixes
    buf[0] = static_cast<unsigned char>(v >> 16);
    buf[1] = static_cast<unsigned char>(v >> 8);
    buf[2] = static_cast<unsigned char>(v);
    const std::string_view s(reinterpret_cast<const char*>(buf), 3);
    ASSERT_EQ(IsValidUtf8(s), ReferenceIsValid(buf, 3)) << std::hex << v;
  }
  for (std::uint32_t v = 0; v < (1u << 16); ++v) {
    buf[0] = static_cast<unsigned char>(v >> 8);
    buf[1] = static_cast<unsigned char>(v);
    ASSERT_EQ(IsValidUtf8(std::string_view(reinterpret_cast<const char*>(buf), 2)),
              ReferenceIsValid(buf, 2))
        << std::hex << v;
  }
  // 4-byte sequences: every lead byte from F0 with a sweep of continuations.
  for (std::uint32_t lead = 0xEF; lead <= 0xF8; ++lead) {
    for (std::uint32_t v = 0; v < (1u << 16); ++v) {
      buf[0] = static_cast<unsigned char>(lead);
      buf[1] = static_cast<unsigned char>(v >> 8);
      buf[2] = static_cast<unsigned char>(v);
      buf[3] = static_cast<unsigned char>(0x80 + (v % 0x41));  // 80..C0 straddles the boundary
      ASSERT_EQ(IsValidUtf8(std::string_view(reinterpret_cast<const char*>(buf), 4)),
                ReferenceIsValid(buf, 4))
          << std::hex << lead << " " << v;
    }
  }
}

}  // namespace
}  // namespace cnake::importer
