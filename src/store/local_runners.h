// The runners of this process that hold leases, by batch: how a store that
// one process holds at a time (DuckDB's file lock) answers
// Store::LiveRunners. While this process has the database open no other
// process can run any of its batches, so these are all the live runners.
//
// A session registers when it opens and unregisters when it releases its
// leases or ends (Registration does both, idempotently).
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace cnake {

class LocalRunners : public std::enable_shared_from_this<LocalRunners> {
 public:
  // Unregisters on Release() or destruction, whichever comes first.
  class Registration {
   public:
    Registration() = default;
    Registration(std::shared_ptr<LocalRunners> owner, std::uint64_t token)
        : owner_(std::move(owner)), token_(token) {}
    Registration(Registration&& other) noexcept = default;
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { Release(); }
    void Release();

   private:
    std::shared_ptr<LocalRunners> owner_;
    std::uint64_t token_ = 0;
  };

  // `started_at` is shown as both start and last heartbeat.
  Registration Add(const std::string& batch_id, const RunnerInfo& runner,
                   const std::string& started_at);
  std::vector<RunnerStatus> Of(const std::string& batch_id) const;

 private:
  struct Held {
    std::string batch_id;
    RunnerStatus status;
  };
  mutable std::mutex mu_;
  std::uint64_t next_token_ = 1;
  std::map<std::uint64_t, Held> held_;
};

}  // namespace cnake
