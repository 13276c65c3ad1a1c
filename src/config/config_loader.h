// Loading the effective configuration from defaults, a config file, the
// environment and command-line flags (precedence: flags > environment > file >
// defaults), validating everything before the program starts work.
//
// This is the header the CLI includes: it also brings in the Config structs,
// Secret, the key table and IsValidIdentifier. LoadConfig is a pure function
// of its inputs plus the filesystem (the config file, the api key file), so it
// is thread-safe. See docs/config.md for the user-facing rules.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/key_table.h"
#include "config/secret.h"
#include "util/identifier.h"
#include "util/status.h"

namespace cnake {

struct ConfigInputs {
  // --config. When unset: $CNAKE_CONFIG, then the default lookup (docs/config.md).
  std::optional<std::string> config_path;
  // The process environment (see ProcessEnvironment()); tests pass their own.
  // Also supplies HOME and XDG_CONFIG_HOME for the default lookup.
  std::map<std::string, std::string> env;
  // Key path -> raw flag value, e.g. {"processing.max_concurrent", "8"}. Only
  // flags the user actually gave belong here.
  std::map<std::string, std::string> flags;
  // Directory that relative paths (./cnake-charmer.toml, --config, the api key
  // file) are resolved against; empty = the process working directory.
  std::filesystem::path cwd;

  // The flag spelling used in provenance messages: the key table's flag
  // ("--max-concurrent"), else "--" + key.
  std::string flag_name_for(const std::string& key) const;
};

struct LoadedConfig {
  Config config;
  // Key path -> "default" | "file <path>" | "env CNAKE_X" | "flag --x" |
  // "key file <path>" (api.api_key read from api.api_key_file). Every key.
  std::map<std::string, std::string> source;
  // Unknown keys and env vars (with did-you-mean), key file permissions, ...
  // Never contains the api key.
  std::vector<std::string> warnings;
  // The config file actually used (as found or given), if any.
  std::optional<std::string> file;
};

// Builds and validates the configuration. On any error returns kInvalidArgument
// listing every problem found (one per line), each naming the key path, the
// offending value (never the api key), what is allowed and where the value came
// from; the CLI exits 2. Unknown keys are warnings, not errors.
Result<LoadedConfig> LoadConfig(const ConfigInputs& inputs);

// The config file LoadConfig would use: --config, else $CNAKE_CONFIG, else the
// first existing default location; nullopt when none exists (defaults apply).
// An explicit path is returned even if it does not exist (LoadConfig reports it).
std::optional<std::string> LocateConfigFile(const ConfigInputs& inputs);

// For `config show`: one line per key, "key = value  # source", aligned; the api
// key as *** with its fingerprint, or (unset).
std::string RenderEffectiveConfig(const LoadedConfig& loaded);

// A copy of the process environment (environ) as a map.
std::map<std::string, std::string> ProcessEnvironment();

}  // namespace cnake
