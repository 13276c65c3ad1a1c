// Behaviour tests: every module of testdata/behaviour/<class>/<name>.pyx is
// translated and run with python3; its results must equal those recorded in
// <name>.json, which come from the module compiled with real Cython
// (testdata/behaviour/regenerate.py), never from the translator.
//
// One python3 process runs the whole corpus so the test stays fast (it also
// runs under the sanitizers in CI).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "translate/python_check.h"
#include "translate/translator.h"

namespace cnake::translate {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus =
    fs::path(CNAKE_SOURCE_DIR) / "src" / "translate" / "testdata" / "behaviour";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads NUL-separated records "name, python source, sidecar json" from stdin
// and prints one line per module: "OK", "PARSE <error>" or "FAIL <details>".
// Comparison is strict about int vs float vs bool, floats to 1e-9 relative.
constexpr const char* kRunner = R"PY(
import json, math, signal, sys, types
class Timeout(Exception):
    pass
def on_alarm(signum, frame):
    raise Timeout()
signal.signal(signal.SIGALRM, on_alarm)
def same(got, exp):
    if isinstance(exp, list):
        return (isinstance(got, (list, tuple)) and len(got) == len(exp)
                and all(same(g, e) for g, e in zip(got, exp)))
    if isinstance(exp, bool) or isinstance(got, bool):
        return isinstance(got, bool) and isinstance(exp, bool) and got == exp
    if isinstance(exp, float):
        if not isinstance(got, float):
            return False
        if math.isnan(exp):
            return math.isnan(got)
        return got == exp or abs(got - exp) <= 1e-9 * max(1.0, abs(exp))
    if isinstance(exp, int):
        return type(got) is int and got == exp
    return got == exp
def one_line(s):
    return str(s).replace('\n', ' | ')[:300]
parts = sys.stdin.buffer.read().decode('utf-8').split('\0')
for k in range(0, len(parts) - 2, 3):
    name, src, spec = parts[k], parts[k + 1], json.loads(parts[k + 2])
    try:
        code = compile(src, name, 'exec')
    except SyntaxError as e:
        print('PARSE', one_line(f'line {e.lineno}: {e.msg}'))
        continue
    verdict = 'OK'
    signal.alarm(5)
    try:
        module = types.ModuleType(name.replace('/', '_'))
        sys.modules[module.__name__] = module  # dataclasses look their module up
        env = vars(module)
        exec(code, env)
        for case in spec:
            got = eval(case['call'], env)
            got = json.loads(json.dumps(got))
            if not same(got, case['expect']):
                verdict = one_line(f"FAIL {case['call']} -> {got!r}, expected {case['expect']!r}")
                break
    except Timeout:
        verdict = 'FAIL timeout'
    except BaseException as e:
        verdict = one_line(f'FAIL {type(e).__name__}: {e}')
    finally:
        signal.alarm(0)
    print(verdict, flush=True)
)PY";

struct Module {
  std::string name;  // "<class>/<stem>"
  std::string python;
  std::string spec;
};

std::vector<Module> TranslateCorpus() {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kCorpus)) {
    if (e.is_regular_file() && e.path().extension() == ".pyx") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Module> modules;
  for (const fs::path& f : files) {
    fs::path spec = f;
    spec.replace_extension(".json");
    const std::string name = fs::relative(f, kCorpus).replace_extension("").string();
    modules.push_back({name, TranslateCython(ReadFile(f)).python, ReadFile(spec)});
  }
  return modules;
}

TEST(BehaviourTest, CorpusTranslationsBehaveLikeCompiledCython) {
  const std::vector<Module> modules = TranslateCorpus();
  ASSERT_GE(modules.size(), 80u);
  std::string input;
  for (const Module& m : modules) input += m.name + '\0' + m.python + '\0' + m.spec + '\0';
  const testing::PythonRun run = testing::RunPython(kRunner, input);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::vector<std::string> verdicts;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) verdicts.push_back(line);
  ASSERT_EQ(verdicts.size(), modules.size()) << run.output;

  std::map<std::string, std::pair<int, int>> per_class;  // class -> (passed, total)
  int passed = 0;
  for (size_t i = 0; i < modules.size(); ++i) {
    const std::string cls = modules[i].name.substr(0, modules[i].name.find('/'));
    const bool ok = verdicts[i] == "OK";
    EXPECT_NE(verdicts[i].rfind("PARSE", 0), 0u)
        << modules[i].name << " does not parse: " << verdicts[i] << "\n"
        << modules[i].python;
    if (!ok) std::cout << "[behaviour] " << modules[i].name << ": " << verdicts[i] << "\n";
    passed += ok;
    per_class[cls].first += ok;
    ++per_class[cls].second;
  }
  for (const auto& [cls, counts] : per_class) {
    std::cout << "[behaviour] " << cls << ": " << counts.first << "/" << counts.second << "\n";
  }
  std::cout << "[behaviour] total: " << passed << "/" << modules.size() << "\n";
  EXPECT_GE(passed * 100, static_cast<int>(modules.size()) * 95)
      << passed << " of " << modules.size() << " modules behave like compiled Cython";
}

}  // namespace
}  // namespace cnake::translate
