#include "report/text_escape.h"

#include <gtest/gtest.h>

namespace cnake::report {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(SanitizeUtf8, KeepsValidTextAndReplacesEachInvalidSequence) {
  EXPECT_EQ(SanitizeUtf8("héllo ✓ 😀\ttab\nnl"), "héllo ✓ 😀\ttab\nnl");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a" + kFffd + "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), kFffd + kFffd);                          // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), kFffd + kFffd + kFffd);              // surrogate
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
  EXPECT_EQ(SanitizeUtf8("\xE2\x9C"), kFffd + kFffd);                          // truncated
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b\x1b[31m\x7f", 9)),
            "a" + kFffd + "b" + kFffd + "[31m" + kFffd);
}

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(HtmlEscape(R"(<script>alert("x&'y")</script>)"),
            "&lt;script&gt;alert(&quot;x&amp;&#39;y&quot;)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("plain"), "plain");
}

}  // namespace
}  // namespace cnake::report
