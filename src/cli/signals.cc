#include "cli/signals.h"

#include <unistd.h>

#include "util/exit_codes.h"

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

SignalWatcher::SignalWatcher() {
  sigset_t set = WatchedSignals();
  pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
  thread_ = std::thread([this, set] {
    int count = 0;
    for (;;) {
      int signo = 0;
      if (sigwait(&set, &signo) != 0) continue;
      if (signo == kStopSignal) return;
      Dispatch(++count, signo);
    }
  });
}

void SignalWatcher::SetHandler(Handler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

void SignalWatcher::Dispatch(int count, int signo) {
  std::lock_guard lock(mu_);
  if (!handler_) _exit(kExitInterrupted);
  handler_(count, signo);
}

SignalWatcher::~SignalWatcher() {
  pthread_kill(thread_.native_handle(), kStopSignal);
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace cnake::cli
