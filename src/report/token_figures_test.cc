#include "report/token_figures.h"

#include <gtest/gtest.h>

namespace cnake::report {
namespace {

TEST(TokenFiguresTest, TotalsPerEntryAndCost) {
  TokenTotalsRow t;
  t.prompt_tokens = 3000;
  t.completion_tokens = 1000;
  t.entries_with_usage = 4;
  t.interrupted = 1;
  nlohmann::json j = TokensJson(t, {0.5, 2.0});
  EXPECT_EQ(j["total"], 4000);
  EXPECT_EQ(j["per_entry"], 1000.0);
  EXPECT_DOUBLE_EQ(j["cost"].get<double>(), (3000 * 0.5 + 1000 * 2.0) / 1e6);
  EXPECT_EQ(TokensLine(j),
            "tokens: 3000 prompt + 1000 completion = 4000 (1000 per entry), cost 0.0035; 1 "
            "attempts interrupted (sent, answer never recorded)");
  j = TokensJson(t, {});
  EXPECT_TRUE(j["cost"].is_null());
  EXPECT_EQ(TokensLine(TokensJson(TokenTotalsRow{}, {1, 1})), "");
}

TEST(TokenFiguresTest, ABatchKeepsItsPrices) {
  const TokenPrices fallback{1, 1};
  EXPECT_EQ(PricesFor(std::nullopt, fallback).input_per_million, 1);
  const TokenPrices p = PricesFor(nlohmann::json{{"price_per_million_input_tokens", 0.15},
                                                 {"price_per_million_output_tokens", 0.6}},
                                  fallback);
  EXPECT_EQ(p.input_per_million, 0.15);
  EXPECT_EQ(p.output_per_million, 0.6);
  EXPECT_EQ(PricesFor(nlohmann::json{{"base_url", "x"}}, fallback).output_per_million, 1);
  EXPECT_FALSE(Cost(10, 10, {}).has_value());
}

}  // namespace
}  // namespace cnake::report
