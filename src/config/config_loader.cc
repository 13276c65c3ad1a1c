#include "config/config_loader.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include "config/config_file.h"
#include "config/did_you_mean.h"
#include "config/store_url.h"
#include "config/value.h"

extern char** environ;

namespace cnake {
namespace {

constexpr size_t kMaxConfigFileBytes = 1 << 20;
constexpr size_t kMaxKeyFileBytes = 64 << 10;
constexpr size_t kMaxCaFileBytes = 4 << 20;  // the system bundle is ~200 KiB

// CNAKE_* variables that are not configuration keys (documented in
// docs/config.md); they never draw an "unknown variable" warning.
constexpr std::string_view kConfigPathEnv = "CNAKE_CONFIG";
constexpr std::string_view kIgnoredEnvPrefixes[] = {"CNAKE_SERVER_", "CNAKE_TEST_"};

constexpr const char* kDefaultNames[] = {"cnake-charmer.toml", "cnake-charmer.yaml",
                                         "cnake-charmer.yml", "cnake-charmer.json"};
constexpr const char* kXdgNames[] = {"config.toml", "config.yaml", "config.yml", "config.json"};

// Higher wins. The api key and its file compare these to decide which applies.
enum Level { kDefaultLevel = 0, kFileLevel = 1, kEnvLevel = 2, kFlagLevel = 3 };

std::string Get(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

bool Exists(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

std::string Article(ValueType type) {
  return type == ValueType::kInt ? "an integer" : std::string("a ") + ValueTypeName(type);
}

// Interprets a file value as `type`. Errors are phrases to follow the value.
Result<Value> CoerceFileValue(ValueType type, const FileValue& v) {
  using Kind = FileValue::Kind;
  if (v.kind == Kind::kText) return ParseValueText(type, v.text);
  switch (type) {
    case ValueType::kString:
    case ValueType::kSecret:
      if (v.kind == Kind::kString) return Value(v.text);
      break;
    case ValueType::kInt:
      if (v.kind == Kind::kInt) return Value(v.int_value);
      if (v.kind == Kind::kFloat) return InvalidArgument("is not an integer");
      break;
    case ValueType::kDouble:
      if (v.kind == Kind::kInt) return Value(static_cast<double>(v.int_value));
      if (v.kind == Kind::kFloat) return Value(v.float_value);
      break;
    case ValueType::kBool:
      if (v.kind == Kind::kBool) return Value(v.bool_value);
      break;
  }
  if (v.kind == Kind::kNull)
    return InvalidArgument("is not allowed (omit the key for the default)");
  return InvalidArgument(fmt::format("is {}, not {}", v.KindName(), Article(type)));
}

// A did-you-mean for an unknown dotted key: the closest key path, else a key in
// another section with the same leaf name ("api.batch_size").
std::optional<std::string> SuggestKey(const std::string& path) {
  if (auto s = DidYouMean(path, AllConfigKeys())) return s;
  const std::string leaf = path.substr(path.rfind('.') + 1);
  for (const auto& d : KeyTable()) {
    if (EditDistance(d.path.substr(d.path.rfind('.') + 1), leaf) <= 1) return d.path;
  }
  return std::nullopt;
}

std::string SuggestionSuffix(const std::optional<std::string>& s) {
  return s ? fmt::format("; did you mean '{}'?", *s) : "";
}

class Loader {
 public:
  explicit Loader(const ConfigInputs& inputs) : inputs_(inputs) {
    for (const auto& d : KeyTable()) {
      out_.source[d.path] = "default";
      level_[d.path] = kDefaultLevel;
    }
  }

  Result<LoadedConfig> Run() {
    CNAKE_RETURN_IF_ERROR(LoadFile());
    LoadEnv();
    LoadFlags();
    if (errors_.empty()) ResolveApiKey();
    if (errors_.empty()) CheckCaFile();
    if (errors_.empty()) CheckRelations();
    if (errors_.size() == 1) return InvalidArgument(errors_[0]);
    if (!errors_.empty()) {
      std::string message = fmt::format("{} configuration errors:", errors_.size());
      for (const auto& e : errors_) message += "\n  " + e;
      return InvalidArgument(message);
    }
    return std::move(out_);
  }

 private:
  // Validates `parsed` for `key` and stores it, or records an error. `shown` is
  // the value as the user wrote it; it is replaced for secrets.
  void Apply(const KeyDescriptor& key, const Result<Value>& parsed, std::string shown,
             const std::string& source, const std::string& origin, Level level) {
    if (key.type == ValueType::kSecret) shown = "(hidden)";
    if (key.redact && parsed.ok()) {
      shown = QuoteForMessage(key.redact(std::get<std::string>(parsed.value())));
    }
    std::string problem = parsed.ok() ? key.check(parsed.value()) : parsed.status().message();
    if (!problem.empty()) {
      errors_.push_back(fmt::format("{}: {} {}; allowed: {} (from {})", key.path, shown, problem,
                                    key.allowed, origin));
      return;
    }
    key.set(out_.config, parsed.value());
    out_.source[key.path] = source;
    level_[key.path] = level;
  }

  Status LoadFile() {
    std::optional<std::string> path = LocateConfigFile(inputs_);
    if (!path) return Status::Ok();
    CNAKE_ASSIGN_OR_RETURN(FileFormat format, FileFormatForPath(*path));
    CNAKE_ASSIGN_OR_RETURN(FileContents contents,
                           ReadSmallFile(*path, "config file", kMaxConfigFileBytes, inputs_.cwd));
    CNAKE_ASSIGN_OR_RETURN(std::vector<FileEntry> entries,
                           ParseConfigText(format, contents.data, *path));
    out_.file = *path;
    const std::string source = "file " + *path;
    for (const FileEntry& entry : entries) {
      const FileValue& v = entry.value;
      const std::string where =
          v.line > 0 ? fmt::format("{}:{}:{}", *path, v.line, v.column) : *path;
      if (const KeyDescriptor* key = FindKey(entry.path)) {
        Apply(*key, CoerceFileValue(key->type, v), v.Describe(), source, "file " + where,
              kFileLevel);
        if (key->type == ValueType::kSecret && (contents.mode & 077) != 0) {
          out_.warnings.push_back(fmt::format(
              "config file {} contains api.api_key but is accessible by group or others "
              "(mode {:04o}); run: chmod 600 {}",
              *path, contents.mode & 07777, *path));
        }
      } else if (IsConfigSection(entry.path)) {
        if (v.kind != FileValue::Kind::kTable) {
          errors_.push_back(fmt::format("{}: expected a table of settings, got {} (from file {})",
                                        entry.path, v.KindName(), where));
        }
      } else if (const KeyDescriptor* parent = ParentKey(entry.path)) {
        errors_.push_back(fmt::format("{}: a table is not allowed; allowed: {} (from file {})",
                                      parent->path, parent->allowed, where));
      } else {
        out_.warnings.push_back(fmt::format("unknown key '{}' in config file {}{}", entry.path,
                                            where, SuggestionSuffix(SuggestKey(entry.path))));
      }
    }
    return Status::Ok();
  }

  // The scalar key that `path` lies under ("api.timeout" for "api.timeout.x").
  static const KeyDescriptor* ParentKey(const std::string& path) {
    for (const auto& d : KeyTable()) {
      if (path.size() > d.path.size() && path.compare(0, d.path.size(), d.path) == 0 &&
          path[d.path.size()] == '.') {
        return &d;
      }
    }
    return nullptr;
  }

  void LoadEnv() {
    const KeyDescriptor* api_key = FindKey("api.api_key");
    const std::string canonical = api_key->EnvName();
    const std::string alias(kApiKeyEnvAlias);
    // The alias first, so that the canonical name, applied later, wins.
    if (!Get(inputs_.env, alias).empty()) {
      if (!Get(inputs_.env, canonical).empty()) {
        out_.warnings.push_back(
            fmt::format("both {} and {} are set; using {}", alias, canonical, canonical));
      } else {
        ApplyEnv(*api_key, alias, Get(inputs_.env, alias));
      }
    }
    std::vector<std::string> env_names = {alias};
    for (const auto& d : KeyTable()) env_names.push_back(d.EnvName());
    // Not a structured binding: clang before 16 cannot capture one in the
    // lambda below, and the fuzz build (scripts/fuzz.sh) uses clang 14.
    for (const auto& entry : inputs_.env) {
      const std::string& name = entry.first;
      const std::string& value = entry.second;
      if (name.rfind(kEnvPrefix, 0) != 0 || name == alias || IsIgnoredEnv(name)) continue;
      const auto key = std::find_if(KeyTable().begin(), KeyTable().end(),
                                    [&](const KeyDescriptor& d) { return d.EnvName() == name; });
      if (key != KeyTable().end()) {
        // An empty variable counts as unset: `export CNAKE_X=` should not fail a run.
        if (!value.empty()) ApplyEnv(*key, name, value);
        continue;
      }
      std::optional<std::string> suggestion = DidYouMean(name, env_names);
      if (!suggestion) suggestion = SuggestEnvBySuffix(name);
      if (suggestion || LooksLikeSectionVar(name)) {
        out_.warnings.push_back(
            fmt::format("unknown environment variable {}{}", name, SuggestionSuffix(suggestion)));
      }
    }
  }

  void ApplyEnv(const KeyDescriptor& key, const std::string& name, const std::string& value) {
    Apply(key, ParseValueText(key.type, value), QuoteForMessage(value), "env " + name,
          "env " + name, kEnvLevel);
  }

  static bool IsIgnoredEnv(std::string_view name) {
    if (name == kConfigPathEnv) return true;
    return std::any_of(std::begin(kIgnoredEnvPrefixes), std::end(kIgnoredEnvPrefixes),
                       [&](std::string_view p) { return name.rfind(p, 0) == 0; });
  }

  static bool LooksLikeSectionVar(std::string_view name) {
    for (const auto& d : KeyTable()) {
      const std::string env = d.EnvName();
      const std::string section = env.substr(0, kEnvPrefix.size() + d.path.find('.') + 1);
      if (name.rfind(section, 0) == 0) return true;
    }
    return false;
  }

  // CNAKE_BASE_URL -> CNAKE_API_BASE_URL: the section was left out.
  static std::optional<std::string> SuggestEnvBySuffix(std::string_view name) {
    const std::string_view rest = name.substr(kEnvPrefix.size());
    for (const auto& d : KeyTable()) {
      const std::string env = d.EnvName();
      if (env.size() > rest.size() &&
          env.compare(env.size() - rest.size(), rest.size(), rest) == 0 &&
          env[env.size() - rest.size() - 1] == '_') {
        return env;
      }
    }
    return std::nullopt;
  }

  void LoadFlags() {
    for (const auto& [path, value] : inputs_.flags) {
      const std::string flag = inputs_.flag_name_for(path);
      const KeyDescriptor* key = FindKey(path);
      if (key == nullptr) {
        errors_.push_back(fmt::format("unknown configuration key '{}' (from flag {}){}", path, flag,
                                      SuggestionSuffix(SuggestKey(path))));
      } else if (key->flag_forbidden) {
        errors_.push_back(fmt::format(
            "{}: cannot be set by a flag (it would be visible in the process list); use "
            "the {} environment variable, api.api_key_file or the config file",
            path, kApiKeyEnvAlias));
      } else if (key->flag_refuses_password && StoreUrlHasPassword(value)) {
        errors_.push_back(fmt::format(
            "{}: {} carries a password, which every user could read in the process list; put "
            "it in PGPASSWORD or a password file (~/.pgpass, or PGPASSFILE), or give the whole "
            "URL in {} or the config file",
            path, flag, key->EnvName()));
      } else {
        Apply(*key, ParseValueText(key->type, value), QuoteForMessage(value), "flag " + flag,
              "flag " + flag, kFlagLevel);
      }
    }
  }

  // api.api_key_file supplies the key unless api.api_key was set by a
  // higher-precedence source; both set by the same source is ambiguous.
  void ResolveApiKey() {
    ApiConfig& api = out_.config.api;
    if (api.api_key_file.empty()) return;
    const int key_level = level_["api.api_key"];
    const int file_level = level_["api.api_key_file"];
    if (!api.api_key.empty() && key_level > file_level) return;
    if (!api.api_key.empty() && key_level == file_level) {
      errors_.push_back(fmt::format(
          "api.api_key and api.api_key_file are both set (from {} and {}); set only one",
          out_.source["api.api_key"], out_.source["api.api_key_file"]));
      return;
    }
    Result<FileContents> contents =
        ReadSmallFile(api.api_key_file, "api key file", kMaxKeyFileBytes, inputs_.cwd);
    if (!contents.ok()) {
      errors_.push_back(fmt::format("api.api_key_file: {} (from {})", contents.status().message(),
                                    out_.source["api.api_key_file"]));
      return;
    }
    std::string key = std::move(contents->data);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    const KeyDescriptor* descriptor = FindKey("api.api_key");
    std::string problem = key.empty() ? "is empty" : descriptor->check(Value(key));
    if (!problem.empty()) {
      errors_.push_back(fmt::format("api.api_key_file: the key in {} {}; allowed: {}",
                                    api.api_key_file, problem, descriptor->allowed));
      return;
    }
    if ((contents->mode & 077) != 0) {
      out_.warnings.push_back(fmt::format(
          "api key file {} is accessible by group or others (mode {:04o}); run: chmod 600 {}",
          api.api_key_file, contents->mode & 07777, api.api_key_file));
    }
    descriptor->set(out_.config, Value(std::move(key)));
    out_.source["api.api_key"] = "key file " + api.api_key_file;
  }

  // A CA file that cannot be used fails here, naming the key, rather than as
  // a TLS error on the first request. A relative path becomes absolute, so
  // libcurl reads the file the user meant.
  void CheckCaFile() {
    std::string& path = out_.config.api.ca_file;
    if (path.empty()) return;
    Result<FileContents> contents = ReadSmallFile(path, "CA file", kMaxCaFileBytes, inputs_.cwd);
    if (!contents.ok()) {
      errors_.push_back(fmt::format("api.ca_file: {} (from {})", contents.status().message(),
                                    out_.source["api.ca_file"]));
      return;
    }
    if (contents->data.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      errors_.push_back(fmt::format(
          "api.ca_file: {} holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\") (from {})",
          path, out_.source["api.ca_file"]));
      return;
    }
    if (!inputs_.cwd.empty() && std::filesystem::path(path).is_relative()) {
      path = (std::filesystem::path(inputs_.cwd) / path).string();
    }
  }

  // Rules that involve two keys; run only when every key is valid on its own.
  void CheckRelations() {
    const Config& c = out_.config;
    auto relation = [&](bool ok, const std::string& a, const std::string& b,
                        std::string_view rule) {
      if (ok) return;
      const KeyDescriptor* ka = FindKey(a);
      const KeyDescriptor* kb = FindKey(b);
      errors_.push_back(fmt::format("{}: {} (from {}) {} {} = {} (from {})", a,
                                    FormatValue(ka->type, ka->get(c)), out_.source[a], rule, b,
                                    FormatValue(kb->type, kb->get(c)), out_.source[b]));
    };
    relation(c.processing.poll_interval <= c.processing.max_poll_interval,
             "processing.poll_interval", "processing.max_poll_interval", "must be <=");
    relation(c.api.retry_delay <= c.api.max_retry_delay, "api.retry_delay", "api.max_retry_delay",
             "must be <=");
    // Several heartbeats per lease: one late heartbeat must not lose the leases.
    relation(c.store.renew_interval * 3 <= c.store.lease_time, "store.renew_interval",
             "store.lease_time", "must be at most a third of");
    // DuckDB identifiers are case-insensitive.
    auto lower = [](std::string s) {
      for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return s;
    };
    relation(lower(c.duckdb.table_name) != lower(c.duckdb.result_table), "duckdb.result_table",
             "duckdb.table_name", "must differ (case-insensitively) from");
    if (c.api.protocol == "openai" && c.api.model.empty()) {
      errors_.push_back(fmt::format(
          "api.model: required when api.protocol = \"openai\" (from {}); set it to a model "
          "that GET <api.base_url>/models lists (CNAKE_API_MODEL)",
          out_.source["api.protocol"]));
    }
  }

  const ConfigInputs& inputs_;
  LoadedConfig out_;
  std::map<std::string, int> level_;
  std::vector<std::string> errors_;
};

}  // namespace

std::string ConfigInputs::flag_name_for(const std::string& key) const {
  const KeyDescriptor* d = FindKey(key);
  return (d != nullptr && !d->flag.empty()) ? d->flag : "--" + key;
}

std::optional<std::string> LocateConfigFile(const ConfigInputs& inputs) {
  if (inputs.config_path && !inputs.config_path->empty()) return inputs.config_path;
  const std::string from_env = Get(inputs.env, std::string(kConfigPathEnv));
  if (!from_env.empty()) return from_env;

  const std::filesystem::path cwd = inputs.cwd;  // empty: relative to the process cwd
  for (const char* name : kDefaultNames) {
    const std::filesystem::path candidate =
        cwd.empty() ? std::filesystem::path(".") / name : cwd / name;
    if (Exists(candidate)) return candidate.string();
  }
  // XDG Base Directory spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  std::filesystem::path base = Get(inputs.env, "XDG_CONFIG_HOME");
  if (base.empty() || base.is_relative()) {
    const std::string home = Get(inputs.env, "HOME");
    if (home.empty()) return std::nullopt;
    base = std::filesystem::path(home) / ".config";
  }
  for (const char* name : kXdgNames) {
    const std::filesystem::path candidate = base / "cnake-charmer" / name;
    if (Exists(candidate)) return candidate.string();
  }
  return std::nullopt;
}

Result<LoadedConfig> LoadConfig(const ConfigInputs& inputs) { return Loader(inputs).Run(); }

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** p = environ; p != nullptr && *p != nullptr; ++p) {
    std::string_view entry(*p);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

}  // namespace cnake
