// libFuzzer target for configuration parsing. The first byte picks the input:
//   0-2: a config file body in JSON, TOML or YAML (ParseConfigText);
//   3:   lines "NAME=value" as the environment of LoadConfig, next to a known
//        API key, which must never appear in an error, a warning or the
//        rendered configuration.
// Nothing may crash or throw; errors are kInvalidArgument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "config/config_file.h"
#include "config/config_loader.h"

namespace {

constexpr char kCanaryKey[] = "Zq9-canary-KEY-7x3";

void Check(bool condition) {
  if (!condition) std::abort();
}

void FuzzFile(cnake::FileFormat format, std::string_view text) {
  auto entries = cnake::ParseConfigText(format, text, "fuzz.cfg");
  if (!entries.ok()) {
    Check(entries.status().code() == cnake::StatusCode::kInvalidArgument);
    Check(entries.status().message().find("fuzz.cfg") != std::string::npos);
    return;
  }
  for (const auto& e : *entries) {
    Check(!e.path.empty());
    (void)e.value.Describe();
  }
}

void FuzzEnvironment(std::string_view text) {
  cnake::ConfigInputs inputs;
  inputs.cwd = "/nonexistent-cnake-fuzz";
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    const std::string name = line.substr(0, eq);
    // Files are not this target's subject (and must not be read from the host).
    if (name == "CNAKE_CONFIG" || name == "HOME" || name == "XDG_CONFIG_HOME" ||
        name.find("KEY") != std::string::npos) {
      continue;
    }
    inputs.env["CNAKE_" + name] = line.substr(eq + 1);
  }
  inputs.env["CNAKE_API_KEY"] = kCanaryKey;
  auto loaded = cnake::LoadConfig(inputs);
  if (!loaded.ok()) {
    Check(loaded.status().code() == cnake::StatusCode::kInvalidArgument);
    Check(loaded.status().message().find(kCanaryKey) == std::string::npos);
    return;
  }
  for (const auto& w : loaded->warnings) Check(w.find(kCanaryKey) == std::string::npos);
  Check(cnake::RenderEffectiveConfig(*loaded).find(kCanaryKey) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      FuzzFile(cnake::FileFormat::kJson, text);
      break;
    case 1:
      FuzzFile(cnake::FileFormat::kToml, text);
      break;
    case 2:
      FuzzFile(cnake::FileFormat::kYaml, text);
      break;
    default:
      FuzzEnvironment(text);
      break;
  }
  return 0;
}
