// A provider-style rate budget for the reference server in openai mode:
// requests and tokens per window (a minute, as providers have it; tests use
// seconds), each a bucket that holds at most its limit and refills
// continuously (limit per window), the way OpenAI describes its limits. Each answer reports the
// buckets in x-ratelimit-* headers; a request that does not fit is refused with 429.
//
// Thread-safe (one mutex); time comes from the injected Clock.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "server/clock.h"

namespace cnake::server {

class RateBudget {
 public:
  // A limit of 0 disables that bucket (no headers for it, never refused).
  RateBudget(std::int64_t requests_per_window, std::int64_t tokens_per_window, Clock* clock,
             Micros window = std::chrono::minutes(1));

  bool enabled() const { return requests_.limit > 0 || tokens_.limit > 0; }

  struct Verdict {
    bool allowed = true;
    std::string exhausted;  // "requests" or "tokens" when refused
    std::vector<std::pair<std::string, std::string>> headers;  // x-ratelimit-*
  };
  // Takes one request and `tokens` when both buckets hold them; otherwise
  // takes nothing. The headers describe the buckets afterwards.
  Verdict Take(std::int64_t tokens);
  // Gives back `tokens` (charged as an estimate, used fewer); never above the limit.
  void Refund(std::int64_t tokens);

 private:
  struct Bucket {
    std::int64_t limit = 0;
    double level = 0;
    MonoTime at{};
  };
  void Refill(Bucket& b, MonoTime now) const;
  void AddHeaders(const Bucket& b, const char* name, Verdict* v) const;

  Clock* const clock_;
  const double window_us_;
  std::mutex mu_;
  Bucket requests_, tokens_;
};

}  // namespace cnake::server
