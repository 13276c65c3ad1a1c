// Token figures as `stats`, `status` and the reports show them: totals, per
// entry, interrupted attempts, and the cost at the configured prices. The
// chat protocol's answers report usage; for batches run against the
// CnakeCharmer API every figure is zero. Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "store/queries.h"

namespace cnake::report {

struct TokenPrices {
  double input_per_million = 0, output_per_million = 0;  // 0: not set
  bool set() const { return input_per_million > 0 || output_per_million > 0; }
};

// The prices a batch ran with (its stored options), else `fallback`.
TokenPrices PricesFor(const std::optional<nlohmann::json>& batch_options,
                      const TokenPrices& fallback);

// nullopt when no price is set.
std::optional<double> Cost(std::int64_t prompt_tokens, std::int64_t completion_tokens,
                           const TokenPrices& prices);

// {"prompt", "completion", "total", "per_entry", "interrupted_attempts",
//  "cost"}: per_entry is the total over the entries whose requests reported
// usage (0 when none did); cost is null when no price is set.
nlohmann::json TokensJson(const TokenTotalsRow& totals, const TokenPrices& prices);

// "tokens: 10707 prompt + 7077 completion = 17784 (556 per entry), cost 0.0059"
// from TokensJson (or a live snapshot's "tokens"); "" when there are none.
std::string TokensLine(const nlohmann::json& tokens);

}  // namespace cnake::report
