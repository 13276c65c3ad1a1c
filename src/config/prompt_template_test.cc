#include "config/prompt_template.h"

#include <gtest/gtest.h>

namespace cnake {
namespace {

TEST(PromptTemplateTest, AcceptsKnownPlaceholdersAndEscapes) {
  EXPECT_TRUE(CheckPromptTemplate("Translate.{description}").ok());
  EXPECT_TRUE(CheckPromptTemplate("{id} {tags} {description} {{literal}}").ok());
  EXPECT_TRUE(CheckPromptTemplate("").ok());
}

TEST(PromptTemplateTest, RejectsUnknownAndUnbalanced) {
  Status s = CheckPromptTemplate("Hello {name}");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("{name}"), std::string::npos) << s.message();
  EXPECT_FALSE(CheckPromptTemplate("open { brace").ok());
  EXPECT_FALSE(CheckPromptTemplate("close } brace").ok());
  EXPECT_FALSE(CheckPromptTemplate("{}").ok());
}

TEST(PromptTemplateTest, Expands) {
  EXPECT_EQ(
      ExpandPromptTemplate("Do {id}: {description} {{x}}", {{"id", "42"}, {"description", "sum"}}),
      "Do 42: sum {x}");
  EXPECT_EQ(ExpandPromptTemplate("[{tags}]", {}), "[]");
}

}  // namespace
}  // namespace cnake
