#include "report/token_figures.h"

#include <fmt/format.h>

namespace cnake::report {

TokenPrices PricesFor(const std::optional<nlohmann::json>& batch_options,
                      const TokenPrices& fallback) {
  if (!batch_options || !batch_options->is_object()) return fallback;
  auto price = [&](const char* key, double otherwise) {
    auto it = batch_options->find(key);
    return it != batch_options->end() && it->is_number() ? it->get<double>() : otherwise;
  };
  return {price("price_per_million_input_tokens", fallback.input_per_million),
          price("price_per_million_output_tokens", fallback.output_per_million)};
}

std::optional<double> Cost(std::int64_t prompt_tokens, std::int64_t completion_tokens,
                           const TokenPrices& prices) {
  if (!prices.set()) return std::nullopt;
  return (static_cast<double>(prompt_tokens) * prices.input_per_million +
          static_cast<double>(completion_tokens) * prices.output_per_million) /
         1e6;
}

nlohmann::json TokensJson(const TokenTotalsRow& t, const TokenPrices& prices) {
  const std::optional<double> cost = Cost(t.prompt_tokens, t.completion_tokens, prices);
  return {{"prompt", t.prompt_tokens},
          {"completion", t.completion_tokens},
          {"total", t.total()},
          {"per_entry",
           t.entries_with_usage > 0 ? static_cast<double>(t.total()) / t.entries_with_usage : 0.0},
          {"interrupted_attempts", t.interrupted},
          {"cost", cost ? nlohmann::json(*cost) : nlohmann::json()}};
}

std::string TokensLine(const nlohmann::json& tokens) {
  if (!tokens.is_object() || tokens.value("total", std::int64_t{0}) <= 0) return "";
  std::string line = fmt::format(
      "tokens: {} prompt + {} completion = {} ({:.0f} per entry)",
      tokens.value("prompt", std::int64_t{0}), tokens.value("completion", std::int64_t{0}),
      tokens.value("total", std::int64_t{0}), tokens.value("per_entry", 0.0));
  if (tokens.contains("cost") && tokens["cost"].is_number()) {
    line += fmt::format(", cost {:.4f}", tokens["cost"].get<double>());
  }
  const auto interrupted = tokens.value("interrupted_attempts", std::int64_t{0});
  if (interrupted > 0) {
    line += fmt::format("; {} attempts interrupted (sent, answer never recorded)", interrupted);
  }
  return line;
}

}  // namespace cnake::report
