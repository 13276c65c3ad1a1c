// The table of configuration keys: the single list that the config file, the
// environment, the flags, `config show` and the documentation all use.
//
// Each key has a dotted path ("processing.rate_limit.burst"), a type, a
// validator with a human description of what is allowed, and accessors into
// Config. Adding a setting is one line in key_table.cc (plus the field in
// config.h). The table is built once, is immutable and thread-safe to read.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/value.h"

namespace cnake {

struct KeyDescriptor {
  std::string path;  // dotted key path, e.g. "api.base_url"
  ValueType type = ValueType::kString;
  std::string description;      // one sentence, for docs and `config show --help`
  std::string allowed;          // what the validator accepts, e.g. "integer 1..10000"
  std::string flag;             // CLI flag spelling ("--max-concurrent"), or ""
  bool flag_forbidden = false;  // api.api_key: a flag would show it in `ps`
  // store.url: a flag is fine, a password in it is not (it would show in `ps`).
  bool flag_refuses_password = false;
  // Hides what must not be shown (a password in a URL) in messages and
  // `config show`; null: the value is shown as it is.
  std::string (*redact)(const std::string&) = nullptr;

  // Returns "" when `value` (already of `type`) is acceptable, else the problem
  // as a phrase to follow the value, e.g. "is out of range". Never repeats the
  // value, so it is safe for secrets.
  std::function<std::string(const Value&)> check;
  // Stores a checked value into `config`, normalising it where documented
  // (logging.level is lower-cased, api.base_url loses trailing slashes).
  std::function<void(Config&, const Value&)> set;
  std::function<Value(const Config&)> get;

  // "CNAKE_" + path upper-cased with '.' -> '_', e.g. CNAKE_API_BASE_URL.
  std::string EnvName() const;
};

// Every key, in documentation order (grouped by section).
const std::vector<KeyDescriptor>& KeyTable();

// The key with this exact path, or nullptr.
const KeyDescriptor* FindKey(std::string_view path);

// Every key path, in KeyTable() order.
std::vector<std::string> AllConfigKeys();

// True when `path` is a section ("api", "processing.rate_limit") that holds keys.
bool IsConfigSection(std::string_view path);

// Env var prefix and the friendlier alias for api.api_key.
inline constexpr std::string_view kEnvPrefix = "CNAKE_";
inline constexpr std::string_view kApiKeyEnvAlias = "CNAKE_API_KEY";

}  // namespace cnake
