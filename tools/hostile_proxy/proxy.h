// hostile_proxy: a TCP proxy on loopback that degrades the connection between
// an HTTP client and its server, to test that the client survives bad
// networks. Test tooling, not part of the client.
//
// Each accepted connection gets one Mode (from the per-connection schedule,
// else the default) for its whole life; the proxy opens one upstream
// connection per accepted one. Modes shape the server -> client direction
// (responses); requests are forwarded as they come (latency delays both).
//
// Thread-safety: Proxy::Run() blocks and spawns one detached thread per
// connection; Stop() may be called from any thread (or a signal handler via
// the stop flag).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cnake::hostile {

enum class Mode {
  kPass,       // forward untouched
  kLatency,    // delay every chunk, both directions, by latency_ms
  kBandwidth,  // responses at bandwidth_bytes_per_s
  kBytes,      // responses written one byte per write(2), TCP_NODELAY
  kHang,       // requests forwarded, responses swallowed; open until the client closes
  kReset,      // requests forwarded; TCP RST to the client when the response starts
  kResetMid,   // half of the first response chunk, then TCP RST
  kSlowClose,  // forward, but close the client side close_delay_ms after upstream closes,
               // and hold the last byte of every response chunk back for close_delay_ms
};

std::optional<Mode> ParseMode(const std::string& name);
const char* ModeName(Mode mode);

struct ProxyOptions {
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 0;
  int listen_port = 0;  // 0: a free port
  Mode default_mode = Mode::kPass;
  std::vector<Mode> schedule;  // modes of the first connections, in accept order
  int latency_ms = 200;
  int bandwidth_bytes_per_s = 1024;
  int close_delay_ms = 1000;
};

struct ProxyStats {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> bytes_up{0};    // client -> server
  std::atomic<uint64_t> bytes_down{0};  // server -> client, as written to the client
};

class Proxy {
 public:
  explicit Proxy(ProxyOptions options);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Binds 127.0.0.1:listen_port; returns the bound port or -1 (errno set).
  int Listen();
  // Accepts until Stop(). Returns 0.
  int Run();
  void Stop() { stop_.store(true); }
  const ProxyStats& stats() const { return stats_; }

 private:
  Mode NextMode();
  void Serve(int client_fd, Mode mode);

  ProxyOptions options_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::size_t next_scheduled_ = 0;  // guarded by mu_
  ProxyStats stats_;
};

}  // namespace cnake::hostile
