// One entry's job as the engine moves it, and the phases it moves through.
//
//   kToSubmit -> kSubmitting -> kCommitting -> kToPoll <-> kPolling
//        ^            |              (request_id durable)      |
//        |            | synchronous server: the result          v
//        |            +------------------------------------> final
//        +--- lost job / transient failure (timer) <---- kToFetch -> kFetching
//
// A protocol without idempotency (the chat protocol) records each attempt
// before its POST: kToSubmit -> kRecording -> (committed) -> kSubmitting.
//
// The engine changes a job's phase only through Engine::Transition, which
// keeps the per-phase counts and, when asked, writes the entry's state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "store/types.h"
#include "util/clock.h"

namespace cnake::engine {

enum class JobPhase {
  kToSubmit,    // waits for its timer, then POSTs /generate
  kSubmitting,  // the POST is under way
  kCommitting,  // holds a request_id whose commit is not done: not polled yet
  kToPoll,      // waits for its timer, then asks /status
  kPolling,     // the status request is under way
  kToFetch,     // waits for its timer, then asks /results
  kFetching,    // the results request is under way
  kRecording,   // the coming POST's attempt is being committed; it goes out right after
};
inline constexpr std::size_t kJobPhases = 8;

std::string_view JobPhaseName(JobPhase phase);
// A request of the job is under way.
inline bool InRequest(JobPhase p) {
  return p == JobPhase::kSubmitting || p == JobPhase::kPolling || p == JobPhase::kFetching;
}
// The job waits for its timer (the only phases Dispatch sends from).
inline bool Waiting(JobPhase p) {
  return p == JobPhase::kToSubmit || p == JobPhase::kToPoll || p == JobPhase::kToFetch;
}

struct Job {
  Entry entry;
  JobPhase phase = JobPhase::kToSubmit;
  EntryState written = EntryState::kPending;  // the entry's state as last written
  TimePoint due{};
  TimePoint request_started{};
  TimePoint admitted{};
  // Once the request_id is committed, the first check: which endpoint, when
  // (counted from the POST answer, not from the commit).
  JobPhase first_check = JobPhase::kToPoll;
  TimePoint first_check_due{};
  // When this run got the job's POST answer; unset for a job resumed with a
  // stored request_id. Expected finishes are counted from it.
  std::optional<TimePoint> accepted;
  bool first_check_seen = false;  // its outcome went into the engine's history
  // What its checks know and teach when its server gives no etas
  // (engine_checks.cc); reset with each POST answer.
  struct Learning {
    bool eta_seen = false;        // an answer for it carried an eta
    bool learned_checks = false;  // its checks follow the run's learned finishes (accepted is set)
    bool at_steady_finish = false;  // first checked then: being done tells nothing new
    bool finish_learned = false;    // seen done: its finish went into the history
    double last_unfinished = 0;     // seconds from `accepted` to its last check found not done
    int checks_past_horizon = 0;    // learned checks made after most jobs were done
  } learning;
  int polls = 0;    // checks that found the job not done
  int retries = 0;  // retries spent (the API attempt count is retries + 1)
  double last_latency_ms = 0;
  // The token budget's reservation for the submission under way (0: none),
  // the tokens it reserved, and the size of its body, for the estimate and
  // its correction.
  std::uint64_t token_reservation = 0;
  std::int64_t reserved_tokens = 0;
  std::size_t request_bytes = 0;
  bool reported_usage = false;  // an answer of this run reported the entry's usage
};

// The row that makes a job's current request_id durable (its record and its
// commit carry the same one).
inline Submitted SubmittedOf(const Job& job) {
  return {job.entry.id, job.entry.request_id.value_or(""), job.entry.submission_seq,
          job.retries + 1};
}

}  // namespace cnake::engine
