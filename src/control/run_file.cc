#include "control/run_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cnake::control {

std::string RunFilePath(const std::string& db_path) { return db_path + ".run"; }

Status WriteRunFile(const std::string& path, const RunFile& run) {
  nlohmann::json j = {{"pid", run.pid},
                      {"program", run.program},
                      {"port", run.port},
                      {"token", run.token},
                      {"batch_id", run.batch_id},
                      {"db_path", run.db_path},
                      {"started_at", run.started_at}};
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write run file " + tmp + ": " + std::strerror(errno));
  const std::string text = j.dump() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::fchmod(fd, 0600) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IoError("cannot write run file " + path);
  }
  return Status::Ok();
}

Result<RunFile> ReadRunFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("no run file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (!j.is_object()) return Status(StatusCode::kParse, "run file " + path + " is not valid JSON");
  RunFile run;
  try {
    run.pid = j.at("pid").get<long>();
    run.program = j.value("program", "");
    run.port = j.at("port").get<int>();
    run.token = j.at("token").get<std::string>();
    run.batch_id = j.value("batch_id", "");
    run.db_path = j.value("db_path", "");
    run.started_at = j.value("started_at", "");
  } catch (const nlohmann::json::exception&) {
    return Status(StatusCode::kParse, "run file " + path + " lacks pid, port or token");
  }
  return run;
}

}  // namespace cnake::control
