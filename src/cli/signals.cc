#include "cli/signals.h"

namespace cnake::cli {
namespace {

// Used only to wake the watcher thread when the watcher is destroyed.
constexpr int kStopSignal = SIGUSR2;

sigset_t WatchedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, kStopSignal);
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int, int)> on_signal) {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  thread_ = std::thread([set, on_signal = std::move(on_signal)] {
    int count = 0;
    for (;;) {
      int signo = 0;
      if (sigwait(&set, &signo) != 0) continue;
      if (signo == kStopSignal) return;
      on_signal(++count, signo);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  pthread_kill(thread_.native_handle(), kStopSignal);
  thread_.join();
  // Discard a SIGINT/SIGTERM that arrived after the run ended.
  sigset_t pending;
  sigpending(&pending);
  timespec zero{0, 0};
  sigset_t set = WatchedSignals();
  while (sigtimedwait(&set, nullptr, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace cnake::cli
