#include "translate/python_check.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace cnake::translate::testing {
namespace {

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

PythonRun RunPython(const std::string& script, const std::string& stdin_text) {
  char path[] = "/tmp/cnake_translate_XXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  PythonRun run;
  if (fd < 0) return run;
  close(fd);
  std::ofstream(path, std::ios::binary) << stdin_text;
  const std::string cmd = "python3 -c " + ShellQuote(script) + " < " + path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe != nullptr) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::remove(path);
  return run;
}

std::vector<std::string> ParseErrors(const std::vector<std::string>& sources) {
  // Sources are separated by NUL bytes; python answers one line per source.
  static const char* kScript =
      "import ast, sys\n"
      "for src in sys.stdin.buffer.read().decode('utf-8').split('\\0'):\n"
      "    try:\n"
      "        ast.parse(src)\n"
      "        print('OK')\n"
      "    except SyntaxError as e:\n"
      "        print(f'line {e.lineno}: {e.msg}'.replace('\\n', ' '))\n";
  std::string joined;
  for (size_t i = 0; i < sources.size(); ++i)
    joined += (i ? std::string(1, '\0') : "") + sources[i];
  const PythonRun run = RunPython(kScript, joined);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::vector<std::string> errors;
  std::istringstream in(run.output);
  std::string line;
  while (std::getline(in, line)) errors.push_back(line == "OK" ? "" : line);
  EXPECT_EQ(errors.size(), sources.size()) << run.output;
  errors.resize(sources.size(), "python3 gave no answer");
  return errors;
}

}  // namespace cnake::translate::testing
