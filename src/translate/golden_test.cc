// Golden, parse and execution tests over every bundled sample in
// samples/cython. Regenerate the goldens with CNAKE_UPDATE_GOLDENS=1 and
// review the diff by eye before committing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "translate/lexer.h"
#include "translate/python_check.h"
#include "translate/translator.h"

namespace cnake::translate {
namespace {

namespace fs = std::filesystem;

const fs::path kSamples = fs::path(CNAKE_SOURCE_DIR) / "samples" / "cython";
const fs::path kGoldens = fs::path(CNAKE_SOURCE_DIR) / "src" / "translate" / "testdata" / "golden";

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> Samples() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kSamples)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".pyx" || ext == ".pxd")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GoldenTest, SamplesExist) { EXPECT_GE(Samples().size(), 30u); }

TEST(GoldenTest, EverySampleMatchesItsGolden) {
  const bool update = std::getenv("CNAKE_UPDATE_GOLDENS") != nullptr &&
                      std::string(std::getenv("CNAKE_UPDATE_GOLDENS")) == "1";
  for (const fs::path& sample : Samples()) {
    const fs::path rel = fs::relative(sample, kSamples);
    const fs::path golden = kGoldens / (rel.string() + ".py");
    const std::string actual = TranslateCython(ReadFile(sample)).python;
    if (update) {
      fs::create_directories(golden.parent_path());
      std::ofstream(golden, std::ios::binary) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(golden))
        << "missing golden " << golden << " (run with CNAKE_UPDATE_GOLDENS=1)";
    EXPECT_EQ(actual, ReadFile(golden))
        << "golden mismatch for " << rel << " (run with CNAKE_UPDATE_GOLDENS=1 and review)";
  }
}

TEST(GoldenTest, EveryTranslatedSampleParses) {
  std::vector<fs::path> samples = Samples();
  std::vector<std::string> outputs;
  for (const fs::path& s : samples) outputs.push_back(TranslateCython(ReadFile(s)).python);
  const std::vector<std::string> errors = testing::ParseErrors(outputs);
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(errors[i], "") << fs::relative(samples[i], kSamples) << " does not parse:\n"
                             << outputs[i];
  }
}

TEST(GoldenTest, PlainPythonSamplesPassThroughUnchanged) {
  for (const char* rel : {"math/fibonacci.pyx", "strings/run_length.pyx"}) {
    const std::string src = ReadFile(kSamples / rel);
    const Translation t = TranslateCython(src);
    EXPECT_EQ(t.python, src) << rel;
    EXPECT_TRUE(t.untranslated.empty()) << rel;
  }
}

// Every statement of every sample, alone or wrapped in a function, must
// translate to parseable Python (possibly only comments). Block headers come
// without their body, so this also checks that empty blocks get `pass`.
TEST(GoldenTest, IndividualSampleStatementsNeverBreakParsing) {
  std::vector<std::string> outputs;
  std::vector<std::string> origins;
  for (const fs::path& s : Samples()) {
    const std::string src = ReadFile(s);
    for (const LogicalLine& ll : SplitLogicalLines(src)) {
      if (ll.IsBlankOrComment()) continue;
      const std::string& b = ll.body;
      // Docstrings and clauses that cannot stand alone are not statements.
      if (b[0] == '"' || b[0] == '@' || b.rfind("else", 0) == 0 || b.rfind("elif", 0) == 0 ||
          b.rfind("except", 0) == 0 || b.rfind("finally", 0) == 0 || b == "try:") {
        continue;
      }
      const std::string origin =
          fs::relative(s, kSamples).string() + ":" + std::to_string(ll.first_line);
      outputs.push_back(TranslateCython(b + "\n").python);
      origins.push_back(origin + " (alone)");
      outputs.push_back(TranslateCython("def wrapper():\n    " + b + "\n").python);
      origins.push_back(origin + " (in a function)");
    }
  }
  const std::vector<std::string> errors = testing::ParseErrors(outputs);
  for (size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(errors[i], "") << origins[i] << ":\n" << outputs[i];
  }
}

// Random mixes of sample statements (fixed seed, so failures reproduce):
// every program must translate to parseable Python.
TEST(GoldenTest, RandomStatementMixesParse) {
  std::vector<std::string> statements;
  for (const fs::path& s : Samples()) {
    for (const LogicalLine& ll : SplitLogicalLines(ReadFile(s))) {
      const std::string& b = ll.body;
      if (ll.IsBlankOrComment() || b[0] == '"' || b[0] == '@' || b.rfind("else", 0) == 0 ||
          b.rfind("elif", 0) == 0 || b.rfind("except", 0) == 0 || b.rfind("finally", 0) == 0 ||
          b == "try:") {
        continue;
      }
      statements.push_back(b);
    }
  }
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<size_t> pick(0, statements.size() - 1);
  std::vector<std::string> programs, outputs;
  for (int p = 0; p < 200; ++p) {
    std::string program;
    for (int k = 0; k < 8; ++k) {
      const std::string& st = statements[pick(rng)];
      // Half of the statements go inside the previous block when it opened one.
      const bool nest = !program.empty() && program[program.size() - 2] == ':' && (k % 2 == 0);
      program += (nest ? "    " : "") + st + "\n";
    }
    programs.push_back(program);
    outputs.push_back(TranslateCython(program).python);
  }
  const std::vector<std::string> errors = testing::ParseErrors(outputs);
  for (size_t i = 0; i < programs.size(); ++i) {
    EXPECT_EQ(errors[i], "") << "input:\n" << programs[i] << "output:\n" << outputs[i];
  }
}

}  // namespace
}  // namespace cnake::translate
