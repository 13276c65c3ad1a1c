#include "server/fault_controller.h"

#include "server/hashing.h"

namespace cnake::server {

FaultController::FaultController(Scenario startup, uint64_t default_seed, Clock* clock)
    : startup_(std::make_shared<const Scenario>(std::move(startup))),
      default_seed_(default_seed),
      clock_(clock),
      current_(startup_) {}

std::shared_ptr<const Scenario> FaultController::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  if (revert_to_ && clock_->Now() >= revert_at_) {
    current_ = std::move(revert_to_);
    revert_to_.reset();
  }
  return current_;
}

void FaultController::Set(Scenario scenario) {
  auto next = std::make_shared<const Scenario>(std::move(scenario));
  std::lock_guard<std::mutex> lock(mu_);
  if (next->duration) {
    // Nested timed scenarios revert to the last untimed one.
    if (!revert_to_) revert_to_ = current_;
    revert_at_ = clock_->Now() + *next->duration;
  } else {
    revert_to_.reset();
  }
  current_ = std::move(next);
}

void FaultController::Reset() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = startup_;
    revert_to_.reset();
  }
  for (CounterShard& shard : generate_attempts_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.counts.clear();
  }
  for (auto& counter : anonymous_attempts_) counter = 0;
  for (auto& counter : injected_) counter = 0;
}

uint32_t FaultController::NextGenerateAttempt(std::string_view key) {
  CounterShard& shard = generate_attempts_[Fnv1a64(key) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  return ++shard.counts[std::string(key)];
}

uint32_t FaultController::NextAnonymousAttempt(Endpoint endpoint) {
  return anonymous_attempts_[static_cast<size_t>(endpoint)].fetch_add(1) + 1;
}

Decision FaultController::Decide(const Scenario& scenario, Endpoint endpoint, std::string_view key,
                                 uint32_t attempt) const {
  return server::Decide(scenario, SeedOf(scenario), endpoint, key, attempt);
}

void FaultController::CountInjected(Fault fault) {
  injected_[static_cast<size_t>(fault)].fetch_add(1, std::memory_order_relaxed);
}

nlohmann::json FaultController::InjectedCounts() const {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 1; i < injected_.size(); ++i) {
    const uint64_t n = injected_[i].load(std::memory_order_relaxed);
    if (n > 0) out[FaultName(static_cast<Fault>(i))] = n;
  }
  return out;
}

}  // namespace cnake::server
