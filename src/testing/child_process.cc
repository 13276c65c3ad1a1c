#include "testing/child_process.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "testing/subprocess.h"

namespace cnake::testing {
namespace {

int Decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::string& stdout_path, const std::string& stderr_path,
                           const std::string& cwd) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> c_argv, c_env;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (auto& e : env_strings) c_env.push_back(e.data());
  c_env.push_back(nullptr);
  const std::string out = stdout_path.empty() ? "/dev/null" : stdout_path;
  const std::string err = stderr_path.empty() ? "/dev/null" : stderr_path;
  pid_ = fork();
  if (pid_ == 0) {
    int in = open("/dev/null", O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    execve(c_argv[0], c_argv.data(), c_env.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    Wait();
  }
}

void ChildProcess::Signal(int signo) {
  if (!reaped_) kill(pid_, signo);
}

int ChildProcess::Wait() {
  if (reaped_) return code_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  code_ = Decode(status);
  return code_;
}

bool ChildProcess::TryWait(int* code) {
  if (!reaped_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return false;
    reaped_ = true;
    code_ = Decode(status);
  }
  *code = code_;
  return true;
}

namespace {

// Starts argv with its stdout in a temp file and waits for its first line,
// "listening on <url>"; returns the url, the child in *process.
std::string StartListening(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           std::chrono::seconds limit, std::string* out_path,
                           std::unique_ptr<ChildProcess>* process) {
  char tmpl[] = "/tmp/cnake-server-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  *out_path = tmpl;
  *process = std::make_unique<ChildProcess>(argv, env, *out_path, "");
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(*out_path);
    std::string line;
    if (std::getline(in, line) && line.rfind("listening on ", 0) == 0) return line.substr(13);
    int code = 0;
    if ((*process)->TryWait(&code)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error(argv[0] + " " + (argv.size() > 1 ? argv[1] : "") + " did not start");
}

int PortOf(const std::string& url) {
  auto colon = url.rfind(':');
  return std::stoi(url.substr(colon + 1));
}

}  // namespace

ReferenceServer::ReferenceServer(const std::vector<std::string>& args,
                                 const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {std::string(CNAKE_BINARY_DIR) + "/cnake-charmer-server",
                                   "--port", "0", "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  url_ = StartListening(argv, env, std::chrono::seconds(5), &out_path_, &process_);
  port_ = PortOf(url_);
}

ReferenceServer::~ReferenceServer() {
  process_->Signal(SIGTERM);
  process_->Wait();
  std::remove(out_path_.c_str());
}

PeerServer::PeerServer(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kPython,
                                   std::string(CNAKE_SOURCE_DIR) + "/tools/fastapi_peer/peer.py"};
  argv.insert(argv.end(), args.begin(), args.end());
  // Importing FastAPI takes a second or more on a loaded machine.
  url_ = StartListening(argv, {{"PYTHONDONTWRITEBYTECODE", "1"}}, std::chrono::seconds(30),
                        &out_path_, &process_);
}

PeerServer::~PeerServer() {
  process_->Signal(SIGKILL);  // its request log is written line by line
  process_->Wait();
  std::remove(out_path_.c_str());
}

bool PeerServer::Available() {
  return RunProcess({kPython, "-c", "import fastapi, uvicorn"}, {}, "").exit_code == 0;
}

int ReferenceServer::SetScenario(const std::string& scenario_json) {
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Put("/admin/faults", scenario_json, "application/json");
  return r ? r->status : 0;
}

std::string ReferenceServer::Stats() {
  httplib::Client c("127.0.0.1", port_);
  auto r = c.Get("/admin/stats");
  return r ? r->body : "";
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace cnake::testing
