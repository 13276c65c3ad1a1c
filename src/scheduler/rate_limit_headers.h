// Provider rate-limit headers: what an OpenAI-compatible API says about the
// budget it has left (x-ratelimit-remaining-requests / -tokens,
// x-ratelimit-reset-requests / -tokens, retry-after-ms). Pure functions over
// text; total over every input (garbage is ignored, never an error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/clock.h"

namespace cnake::scheduler {

// One response's view of the provider's budget. Every member is optional: a
// provider may send some, all or none of them (vLLM and llama.cpp send none).
struct ProviderLimits {
  std::optional<std::int64_t> remaining_requests;
  std::optional<std::int64_t> remaining_tokens;
  std::optional<Duration> reset_requests;  // until the request budget is full again
  std::optional<Duration> reset_tokens;    // until the token budget is full again
  std::optional<Duration> retry_after_ms;  // "retry-after-ms" (Azure, OpenAI SDKs)
  bool empty() const {
    return !remaining_requests && !remaining_tokens && !reset_requests && !reset_tokens &&
           !retry_after_ms;
  }
};

// A reset duration as OpenAI writes it: a sequence of <number><unit> with
// units h, m, s, ms, us (or µs) and ns, e.g. "1s", "6m0s", "250ms",
// "1h2m3.5s", "0.5s". Leniency: a bare number is seconds ("7", "1.5"), and
// spaces around the value are ignored. nullopt for anything else (negative
// numbers, unknown units, empty). The result is clamped to [0, max].
std::optional<Duration> ParseResetDuration(std::string_view text, Duration max);

// A non-negative count ("4999"). Leniency: a decimal with a zero fraction
// ("12.0") is accepted; negative numbers (Azure sends -1 for "no limit"),
// fractions and garbage give nullopt. Values beyond int64 are clamped.
std::optional<std::int64_t> ParseRemainingCount(std::string_view text);

// Reads the headers above from `headers` (name, value) pairs; names are
// compared case-insensitively; the last occurrence of a name wins. Durations
// are clamped to `max_wait`.
ProviderLimits ParseProviderLimits(const std::vector<std::pair<std::string, std::string>>& headers,
                                   Duration max_wait);

// True for the header names ParseProviderLimits reads (any case), so a
// transport can keep just these.
bool IsProviderLimitHeader(std::string_view name);

}  // namespace cnake::scheduler
