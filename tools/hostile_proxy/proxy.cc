#include "proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace cnake::hostile {
namespace {

constexpr struct {
  const char* name;
  Mode mode;
} kModes[] = {{"pass", Mode::kPass},           {"latency", Mode::kLatency},
              {"bandwidth", Mode::kBandwidth}, {"bytes", Mode::kBytes},
              {"hang", Mode::kHang},           {"reset", Mode::kReset},
              {"reset_mid", Mode::kResetMid},  {"slow_close", Mode::kSlowClose}};

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// SO_LINGER with a zero timeout makes close() send RST instead of FIN.
void Reset(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

int ConnectUpstream(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::optional<Mode> ParseMode(const std::string& name) {
  for (const auto& m : kModes) {
    if (name == m.name) return m.mode;
  }
  return std::nullopt;
}

const char* ModeName(Mode mode) {
  for (const auto& m : kModes) {
    if (mode == m.mode) return m.name;
  }
  return "?";
}

Proxy::Proxy(ProxyOptions options) : options_(std::move(options)) {}

Proxy::~Proxy() {
  if (listen_fd_ >= 0) close(listen_fd_);
}

int Proxy::Listen() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return -1;
  const int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(options_.listen_port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 128) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return -1;
  }
  return ntohs(addr.sin_port);
}

Mode Proxy::NextMode() {
  std::lock_guard<std::mutex> lock(mu_);
  if (next_scheduled_ < options_.schedule.size()) return options_.schedule[next_scheduled_++];
  return options_.default_mode;
}

int Proxy::Run() {
  while (!stop_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    stats_.connections.fetch_add(1);
    std::thread([this, client, mode = NextMode()] { Serve(client, mode); }).detach();
  }
  return 0;
}

// One connection pair. Blocking I/O in its own thread: a mode that sleeps
// only slows its own connection.
void Proxy::Serve(int client, Mode mode) {
  const int upstream = ConnectUpstream(options_.upstream_host, options_.upstream_port);
  if (upstream < 0) {
    Reset(client);
    return;
  }
  const int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bool responded = false;
  char buf[16384];
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  while (!stop_.load()) {
    if (poll(fds, 2, 100) <= 0) continue;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) break;  // the client closed: so do we
      if (mode == Mode::kLatency) SleepMs(options_.latency_ms);
      if (!WriteAll(upstream, buf, static_cast<std::size_t>(n))) break;
      stats_.bytes_up.fetch_add(static_cast<uint64_t>(n));
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      const ssize_t got = recv(upstream, buf, sizeof buf, 0);
      if (got <= 0) {
        if (mode == Mode::kSlowClose) SleepMs(options_.close_delay_ms);
        if (mode == Mode::kHang) {
          fds[1].fd = -1;  // keep the client waiting until it gives up
          continue;
        }
        break;
      }
      const std::size_t n = static_cast<std::size_t>(got);
      bool ok = true;
      switch (mode) {
        case Mode::kPass:
          ok = WriteAll(client, buf, n);
          break;
        case Mode::kLatency:
          SleepMs(options_.latency_ms);
          ok = WriteAll(client, buf, n);
          break;
        case Mode::kBandwidth: {
          // Slices of 1/20 s worth of bytes, one every 50 ms.
          const std::size_t slice = std::max<std::size_t>(
              1, static_cast<std::size_t>(options_.bandwidth_bytes_per_s) / 20);
          for (std::size_t off = 0; ok && off < n; off += slice) {
            ok = WriteAll(client, buf + off, std::min(slice, n - off));
            SleepMs(50);
          }
          break;
        }
        case Mode::kBytes:
          for (std::size_t i = 0; ok && i < n; ++i) {
            ok = WriteAll(client, buf + i, 1);
            std::this_thread::sleep_for(std::chrono::microseconds(200));
          }
          break;
        case Mode::kHang:
          break;  // swallowed
        case Mode::kReset:
          Reset(client);
          close(upstream);
          return;
        case Mode::kResetMid:
          if (!responded) {
            WriteAll(client, buf, n / 2);
            Reset(client);
            close(upstream);
            return;
          }
          ok = WriteAll(client, buf, n);
          break;
        case Mode::kSlowClose:
          ok = WriteAll(client, buf, n - 1);
          SleepMs(options_.close_delay_ms);
          ok = ok && WriteAll(client, buf + n - 1, 1);
          break;
      }
      responded = true;
      if (!ok) break;
      if (mode != Mode::kHang) stats_.bytes_down.fetch_add(n);
    }
  }
  close(upstream);
  close(client);
}

}  // namespace cnake::hostile
