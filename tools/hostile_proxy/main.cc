// hostile_proxy: see proxy.h. Prints "listening on 127.0.0.1:<port>" (one
// line, flushed) once ready; SIGTERM/SIGINT stop it and print the counters on
// stderr.
//
//   hostile_proxy --upstream 127.0.0.1:8000 --mode bandwidth --bandwidth 1024
//   hostile_proxy --upstream 127.0.0.1:8000 --schedule hang,reset,reset_mid --mode pass
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <sstream>

#include "proxy.h"

namespace {

cnake::hostile::Proxy* g_proxy = nullptr;

void OnSignal(int) {
  if (g_proxy != nullptr) g_proxy->Stop();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cnake::hostile;
  CLI::App app{"hostile_proxy: a TCP proxy that degrades a loopback connection"};
  ProxyOptions options;
  std::string upstream, mode = "pass", schedule;
  app.add_option("--upstream", upstream, "host:port of the server")->required();
  app.add_option("--port", options.listen_port, "port to listen on (0: a free one)");
  app.add_option("--mode", mode,
                 "mode of every connection not in --schedule: pass, latency, bandwidth, bytes, "
                 "hang, reset, reset_mid, slow_close");
  app.add_option("--schedule", schedule, "comma-separated modes of the first connections");
  app.add_option("--latency-ms", options.latency_ms, "latency mode: delay per chunk");
  app.add_option("--bandwidth", options.bandwidth_bytes_per_s, "bandwidth mode: bytes per second")
      ->check(CLI::PositiveNumber);
  app.add_option("--close-delay-ms", options.close_delay_ms, "slow_close mode: delay");
  CLI11_PARSE(app, argc, argv);

  const auto colon = upstream.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--upstream must be host:port\n");
    return 2;
  }
  options.upstream_host = upstream.substr(0, colon);
  options.upstream_port = std::atoi(upstream.c_str() + colon + 1);
  auto parsed = ParseMode(mode);
  if (!parsed) {
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  }
  options.default_mode = *parsed;
  std::stringstream list(schedule);
  for (std::string item; std::getline(list, item, ',');) {
    auto m = ParseMode(item);
    if (!m) {
      std::fprintf(stderr, "unknown mode %s in --schedule\n", item.c_str());
      return 2;
    }
    options.schedule.push_back(*m);
  }

  // Leaked on purpose: detached connection threads may still use it while the
  // process exits.
  auto* proxy = new Proxy(options);
  const int port = proxy->Listen();
  if (port < 0) {
    std::perror("listen");
    return 1;
  }
  g_proxy = proxy;
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  proxy->Run();
  std::fprintf(stderr, "connections %llu, bytes up %llu, bytes down %llu\n",
               static_cast<unsigned long long>(proxy->stats().connections.load()),
               static_cast<unsigned long long>(proxy->stats().bytes_up.load()),
               static_cast<unsigned long long>(proxy->stats().bytes_down.load()));
  return 0;
}
