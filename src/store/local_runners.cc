#include "store/local_runners.h"

namespace cnake {

LocalRunners::Registration& LocalRunners::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::move(other.owner_);
    token_ = other.token_;
  }
  return *this;
}

void LocalRunners::Registration::Release() {
  if (!owner_) return;
  {
    std::lock_guard lock(owner_->mu_);
    owner_->held_.erase(token_);
  }
  owner_.reset();
}

LocalRunners::Registration LocalRunners::Add(const std::string& batch_id, const RunnerInfo& runner,
                                             const std::string& started_at) {
  std::lock_guard lock(mu_);
  const std::uint64_t token = next_token_++;
  RunnerStatus status;
  status.runner = runner;
  status.started_at = started_at;
  status.heartbeat_at = started_at;
  held_[token] = {batch_id, std::move(status)};
  return Registration(shared_from_this(), token);
}

std::vector<RunnerStatus> LocalRunners::Of(const std::string& batch_id) const {
  std::lock_guard lock(mu_);
  std::vector<RunnerStatus> out;
  for (const auto& [token, held] : held_) {
    if (held.batch_id == batch_id) out.push_back(held.status);
  }
  return out;
}

}  // namespace cnake
