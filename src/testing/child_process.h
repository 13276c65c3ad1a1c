// A child process running in the background, its stdout and stderr going to
// files. Test-only. The destructor kills (SIGKILL) and reaps it if still running.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnake::testing {

class ChildProcess {
 public:
  // Starts argv[0] with exactly `env`, in `cwd` when not empty; output to
  // the given files ("" = /dev/null).
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& stdout_path, const std::string& stderr_path,
               const std::string& cwd = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signo);
  // Waits for exit; returns the exit code, or 128 + signal.
  int Wait();
  // Non-blocking: true (and sets *code) when it has exited.
  bool TryWait(int* code);
  bool running() const { return !reaped_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int code_ = -1;
};

// The reference API server on a free loopback port, for integration tests.
class ReferenceServer {
 public:
  // `args` are extra server flags (e.g. {"--delay", "fixed:50ms"}).
  explicit ReferenceServer(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env = {});
  ~ReferenceServer();
  const std::string& url() const { return url_; }  // http://127.0.0.1:<port>/api
  int port() const { return port_; }
  // PUT /admin/faults with a scenario; returns the HTTP status.
  int SetScenario(const std::string& scenario_json);
  std::string Stats();
  ChildProcess& process() { return *process_; }

 private:
  std::string out_path_;
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
  int port_ = 0;
};

// The independent FastAPI implementation of the API contract
// (tools/fastapi_peer), on a free loopback port, for tests of the client
// against a server that is not ours. Needs Debian's python3-fastapi and
// python3-uvicorn (scripts/bootstrap.sh installs them).
class PeerServer {
 public:
  static constexpr const char* kPython = "/usr/bin/python3";
  // `args` are the peer's flags (tools/fastapi_peer/peer.py --help).
  explicit PeerServer(const std::vector<std::string>& args);
  ~PeerServer();
  const std::string& url() const { return url_; }  // http://127.0.0.1:<port>/api
  // Whether kPython can import FastAPI and uvicorn.
  static bool Available();

 private:
  std::string out_path_;
  std::unique_ptr<ChildProcess> process_;
  std::string url_;
};

// Reads a JSONL file into lines (each a JSON text).
std::vector<std::string> ReadLines(const std::string& path);

}  // namespace cnake::testing
