// FakeTransport: an api::Transport for engine unit tests. Header-only.
//
// Each Start() is recorded and answered either by the next scripted response
// (Enqueue) or, when the script is empty, by the handler (SetHandler); with
// neither, the exchange fails with kOther and "no scripted response", which a
// test notices. A response may carry a delay measured on the FakeClock. Poll()
// returns every exchange whose time has come; when none has and a clock is
// attached, it advances the clock as a real wait would: to the earliest due
// time, at most by `max_wait` (disable with set_auto_advance(false)).
//
// Thread safety: Start/Poll/accessors from one thread, like the engine;
// Wakeup() from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <deque>
#include <functional>
#include <utility>
#include <vector>

#include "api/transport.h"
#include "testing/fake_clock.h"

namespace cnake::testing {

class FakeTransport final : public api::Transport {
 public:
  using Handler = std::function<api::Response(const api::Request&)>;

  // `clock` may be null (delays are then ignored); it must outlive this.
  explicit FakeTransport(FakeClock* clock = nullptr) : clock_(clock) {}

  void SetHandler(Handler handler) { handler_ = std::move(handler); }
  // How long each handler-answered exchange takes on the FakeClock.
  void SetHandlerDelay(Duration delay) { handler_delay_ = delay; }
  // Scripted responses are used in order, one per Start(). The tag and
  // endpoint are overwritten with the request's.
  void Enqueue(api::Response response, Duration delay = Duration(0)) {
    script_.push_back({std::move(response), delay});
  }
  void set_auto_advance(bool on) { auto_advance_ = on; }

  void Start(const api::Request& request) override {
    requests_.push_back(request);
    Scripted next;
    if (!script_.empty()) {
      next = std::move(script_.front());
      script_.pop_front();
    } else if (handler_) {
      next.response = handler_(request);
      next.delay = handler_delay_;
    } else {
      next.response.transport = api::TransportError::kOther;
      next.response.error = "no scripted response";
    }
    next.response.tag = request.tag;
    next.response.endpoint = request.endpoint;
    const TimePoint due =
        clock_ != nullptr ? AddSaturating(clock_->Now(), next.delay) : TimePoint();
    pending_.push_back({due, std::move(next.response)});
  }

  std::vector<api::Response> Poll(Duration max_wait) override {
    ++polls_;
    std::vector<api::Response> done = TakeDue();
    if (done.empty() && clock_ != nullptr && auto_advance_) {
      TimePoint until = AddSaturating(clock_->Now(), max_wait);
      for (const Pending& p : pending_) until = std::min(until, p.due);
      clock_->Set(until);
      done = TakeDue();
    }
    return done;
  }

  void Wakeup() override { wakeups_.fetch_add(1); }
  std::size_t in_flight() const override { return pending_.size(); }

  // Every request started, in order.
  const std::vector<api::Request>& requests() const { return requests_; }
  std::size_t CountRequests(const std::function<bool(const api::Request&)>& match) const {
    return static_cast<std::size_t>(std::count_if(requests_.begin(), requests_.end(), match));
  }
  std::size_t scripted_left() const { return script_.size(); }
  int wakeups() const { return wakeups_.load(); }
  int polls() const { return polls_; }

 private:
  struct Scripted {
    api::Response response;
    Duration delay{0};
  };
  struct Pending {
    TimePoint due;
    api::Response response;
  };

  std::vector<api::Response> TakeDue() {
    std::vector<api::Response> done;
    const TimePoint now = clock_ != nullptr ? clock_->Now() : TimePoint();
    auto keep = std::stable_partition(pending_.begin(), pending_.end(),
                                      [&](const Pending& p) { return p.due > now; });
    for (auto it = keep; it != pending_.end(); ++it) done.push_back(std::move(it->response));
    pending_.erase(keep, pending_.end());
    return done;
  }

  FakeClock* clock_;
  Handler handler_;
  Duration handler_delay_{0};
  bool auto_advance_ = true;
  std::deque<Scripted> script_;
  std::vector<Pending> pending_;
  std::vector<api::Request> requests_;
  std::atomic<int> wakeups_{0};
  int polls_ = 0;
};

}  // namespace cnake::testing
