#include "config/key_table.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <type_traits>

#include "config/prompt_template.h"
#include "config/store_url.h"
#include "util/identifier.h"

namespace cnake {
namespace {

// --- Accessors: a chain of member pointers reaching one field of Config. ---

template <auto First, auto... Rest, typename Object>
auto& Field(Object& object) {
  if constexpr (sizeof...(Rest) == 0) {
    return object.*First;
  } else {
    return Field<Rest...>(object.*First);
  }
}

// --- Validators ---

struct Check {
  ValueType type;
  std::string allowed;
  std::function<std::string(const Value&)> fn;
};

Check IntRange(int64_t lo, int64_t hi) {
  return {ValueType::kInt, fmt::format("integer {}..{}", lo, hi), [lo, hi](const Value& v) {
            const int64_t i = std::get<int64_t>(v);
            return (i < lo || i > hi) ? std::string("is out of range") : std::string();
          }};
}

// A finite number in (lo, hi] when lo_exclusive, else [lo, hi].
Check NumberRange(double lo, bool lo_exclusive, double hi) {
  std::string allowed = fmt::format("number {} {} and <= {}", lo_exclusive ? ">" : ">=", lo, hi);
  return {ValueType::kDouble, allowed, [=](const Value& v) {
            const double d = std::get<double>(v);
            const bool low_ok = lo_exclusive ? d > lo : d >= lo;
            return (!std::isfinite(d) || !low_ok || d > hi) ? std::string("is out of range")
                                                            : std::string();
          }};
}
Check Seconds(double max) { return NumberRange(0, /*lo_exclusive=*/true, max); }

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Check OneOf(std::vector<std::string> choices) {
  std::string allowed = "one of";
  for (size_t i = 0; i < choices.size(); ++i) allowed += (i ? ", " : " ") + choices[i];
  allowed += " (case-insensitive)";
  return {ValueType::kString, allowed, [choices](const Value& v) {
            const std::string s = Lower(std::get<std::string>(v));
            return std::find(choices.begin(), choices.end(), s) == choices.end()
                       ? std::string("is not allowed")
                       : std::string();
          }};
}

bool HasControlChars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

Check AnyString() {
  return {ValueType::kString, "any string without control characters", [](const Value& v) {
            return HasControlChars(std::get<std::string>(v)) ? "contains control characters" : "";
          }};
}

Check NonEmptyPath() {
  return {ValueType::kString, "a non-empty path", [](const Value& v) {
            const auto& s = std::get<std::string>(v);
            if (s.empty()) return "is empty";
            return HasControlChars(s) ? "contains control characters" : "";
          }};
}

Check Identifier() {
  return {ValueType::kString, "a SQL identifier matching ^[A-Za-z_][A-Za-z0-9_]{0,62}$",
          [](const Value& v) {
            return IsValidIdentifier(std::get<std::string>(v)) ? "" : "is not a valid identifier";
          }};
}

// DuckDB's size syntax, restricted to what it accepts for memory_limit.
Check DuckdbSize() {
  return {ValueType::kString, "a size such as 64MB, 512MiB or 2GB (at least 16MB)",
          [](const Value& v) -> std::string {
            static const std::regex kSize(R"(^\s*([0-9]{1,9})\s*(KB|MB|GB|KiB|MiB|GiB)\s*$)",
                                          std::regex::icase);
            std::smatch m;
            const auto& s = std::get<std::string>(v);
            if (!std::regex_match(s, m, kSize)) return "is not a size like 64MB";
            const double n = std::stod(m[1]);
            const char unit =
                static_cast<char>(std::toupper(static_cast<unsigned char>(m[2].str()[0])));
            const double mb = unit == 'K' ? n / 1024 : unit == 'M' ? n : n * 1024;
            return mb < 16 ? "is below 16MB (DuckDB cannot work in less)" : "";
          }};
}

Check ApiKey() {
  // Whitespace or control characters would corrupt (or inject into) the
  // Authorization header. The message never includes the key.
  return {ValueType::kSecret, "a string without whitespace or control characters",
          [](const Value& v) {
            const auto& s = std::get<std::string>(v);
            return std::any_of(s.begin(), s.end(),
                               [](unsigned char c) { return c <= 0x20 || c == 0x7f; })
                       ? "contains whitespace or control characters"
                       : "";
          }};
}

Check HttpUrl() {
  return {ValueType::kString, "an http:// or https:// URL with a host and no credentials",
          [](const Value& v) -> std::string {
            const auto& s = std::get<std::string>(v);
            if (HasControlChars(s) || s.find(' ') != std::string::npos) {
              return "contains spaces or control characters";
            }
            std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), curl_url_cleanup);
            if (!url) return "could not be parsed (out of memory)";
            if (curl_url_set(url.get(), CURLUPART_URL, s.c_str(), 0) != CURLUE_OK) {
              return "is not a valid URL";
            }
            auto part = [&](CURLUPart which) -> std::string {
              char* out = nullptr;
              if (curl_url_get(url.get(), which, &out, 0) != CURLUE_OK || out == nullptr) return "";
              std::string result(out);
              curl_free(out);
              return result;
            };
            const std::string scheme = Lower(part(CURLUPART_SCHEME));
            if (scheme != "http" && scheme != "https") return "does not use http or https";
            if (part(CURLUPART_HOST).empty()) return "has no host";
            if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
              return "contains credentials (use api.api_key)";
            }
            return "";
          }};
}

Check StoreUrl() {
  return {ValueType::kString,
          "empty (DuckDB at duckdb.db_path) or a postgresql://user@host:port/dbname URL",
          [](const Value& v) { return StoreUrlProblem(std::get<std::string>(v)); }};
}

// Free text: newlines and tabs are fine (a system prompt spans lines), other
// control characters are not.
Check Text() {
  return {ValueType::kString, "text without control characters other than newline and tab",
          [](const Value& v) {
            const auto& s = std::get<std::string>(v);
            const bool bad = std::any_of(s.begin(), s.end(), [](unsigned char c) {
              return (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f;
            });
            return bad ? "contains control characters" : "";
          }};
}

Check Temperature() {
  return {ValueType::kDouble, "-1 (not sent) or a number from 0 to 2", [](const Value& v) {
            const double d = std::get<double>(v);
            return d == -1 || (d >= 0 && d <= 2) ? std::string() : std::string("is out of range");
          }};
}

// Members of the chat request the client must control itself.
bool IsReservedRequestMember(const std::string& name) {
  return name == "model" || name == "messages" || name == "stream" || name == "n" ||
         name == "stream_options";
}

Check JsonObjectText() {
  return {ValueType::kString,
          "a JSON object (e.g. {\"top_p\": 0.9}) without model, messages, stream, n or "
          "stream_options; empty = none",
          [](const Value& v) -> std::string {
            const auto& s = std::get<std::string>(v);
            if (s.empty()) return "";
            const nlohmann::json doc = nlohmann::json::parse(s, nullptr, false);
            if (doc.is_discarded()) return "is not valid JSON";
            if (!doc.is_object()) return "is not a JSON object";
            for (const auto& [name, value] : doc.items()) {
              if (IsReservedRequestMember(name))
                return "sets \"" + name + "\", which the client sets";
            }
            return "";
          }};
}

Check PromptTemplate() {
  return {ValueType::kString,
          "text with placeholders {description}, {id}, {tags}, {code}; {{ and }} for literal "
          "braces",
          [](const Value& v) -> std::string {
            Status status = CheckPromptTemplate(std::get<std::string>(v));
            return status.ok() ? "" : "has an error: " + status.message();
          }};
}

// --- Field <-> Value conversion ---

template <typename T>
constexpr ValueType TypeOf() {
  if constexpr (std::is_same_v<T, int>) return ValueType::kInt;
  if constexpr (std::is_same_v<T, double>) return ValueType::kDouble;
  if constexpr (std::is_same_v<T, bool>) return ValueType::kBool;
  if constexpr (std::is_same_v<T, Secret>) return ValueType::kSecret;
  if constexpr (std::is_same_v<T, std::string>) return ValueType::kString;
}

template <typename T>
void Assign(T& field, const Value& v) {
  if constexpr (std::is_same_v<T, int>) field = static_cast<int>(std::get<int64_t>(v));
  if constexpr (std::is_same_v<T, double>) field = std::get<double>(v);
  if constexpr (std::is_same_v<T, bool>) field = std::get<bool>(v);
  if constexpr (std::is_same_v<T, Secret>) field = Secret(std::get<std::string>(v));
  if constexpr (std::is_same_v<T, std::string>) field = std::get<std::string>(v);
}

template <typename T>
Value ToValue(const T& field) {
  if constexpr (std::is_same_v<T, int>) return static_cast<int64_t>(field);
  if constexpr (std::is_same_v<T, Secret>) return field.reveal();
  if constexpr (!std::is_same_v<T, int> && !std::is_same_v<T, Secret>) return field;
}

using Normalizer = std::string (*)(std::string);

// One table row. `Members` is the member-pointer chain from Config to the field.
template <auto... Members>
KeyDescriptor Key(std::string path, Check check, std::string description, std::string flag = "",
                  Normalizer normalize = nullptr) {
  using T = std::remove_cvref_t<decltype(Field<Members...>(std::declval<Config&>()))>;
  if (check.type != TypeOf<T>()) {
    // A programming error in the table: fail at startup (and in every test).
    fmt::print(stderr, "config key table: validator type does not match field {}\n", path);
    std::abort();
  }
  KeyDescriptor d;
  d.path = std::move(path);
  d.type = check.type;
  d.description = std::move(description);
  d.allowed = std::move(check.allowed);
  d.flag = std::move(flag);
  d.check = std::move(check.fn);
  d.set = [normalize](Config& c, const Value& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      if (normalize)
        return Assign(Field<Members...>(c), Value(normalize(std::get<std::string>(v))));
    }
    Assign(Field<Members...>(c), v);
  };
  d.get = [](const Config& c) { return ToValue(Field<Members...>(c)); };
  return d;
}

std::string NormalizeLevel(std::string s) {
  s = Lower(std::move(s));
  return s == "warning" ? "warn" : s;
}

std::string StripTrailingSlashes(std::string s) {
  // Keeps "scheme://" intact: only slashes after the authority are stripped.
  const size_t authority = s.find("://");
  const size_t min_size = authority == std::string::npos ? 0 : authority + 3;
  while (s.size() > min_size && s.back() == '/') s.pop_back();
  return s;
}

std::vector<KeyDescriptor> BuildTable() {
  // clang-format off
  std::vector<KeyDescriptor> t = {
    Key<&Config::api, &ApiConfig::base_url>("api.base_url", HttpUrl(),
        "Base URL of the CnakeCharmer API; trailing slashes are removed.", "--base-url", StripTrailingSlashes),
    Key<&Config::api, &ApiConfig::api_key>("api.api_key", ApiKey(),
        "API key sent as a Bearer token. Never printed; no flag (it would show in the process list)."),
    Key<&Config::api, &ApiConfig::api_key_file>("api.api_key_file", AnyString(),
        "File holding the API key (trailing newline trimmed); empty = none. Should be mode 0600."),
    Key<&Config::api, &ApiConfig::timeout>("api.timeout", Seconds(86400),
        "Total time limit for one HTTP request, in seconds."),
    Key<&Config::api, &ApiConfig::connect_timeout>("api.connect_timeout", Seconds(3600),
        "Time limit for establishing a connection, in seconds."),
    Key<&Config::api, &ApiConfig::ca_file>("api.ca_file", AnyString(),
        "PEM file of CA certificates to trust instead of the system's; empty = the system's.",
        "--ca-file"),
    Key<&Config::api, &ApiConfig::max_retries>("api.max_retries", IntRange(0, 100),
        "Retries of a failed request (network errors, 429, 5xx) before giving up."),
    Key<&Config::api, &ApiConfig::retry_delay>("api.retry_delay", NumberRange(0, false, 86400),
        "Base of the exponential backoff between retries, in seconds."),
    Key<&Config::api, &ApiConfig::max_retry_delay>("api.max_retry_delay", NumberRange(0, false, 86400),
        "Upper bound of one backoff delay, in seconds; >= api.retry_delay."),

    Key<&Config::api, &ApiConfig::protocol>("api.protocol", OneOf({"cnakecharmer", "openai"}),
        "The API's protocol: the CnakeCharmer contract, or OpenAI chat completions (vLLM, "
        "llama.cpp, OpenRouter, OpenAI).", "", [](std::string s) { return Lower(std::move(s)); }),
    Key<&Config::api, &ApiConfig::model>("api.model", AnyString(),
        "openai: the model to ask (as GET {base}/models lists it); required with api.protocol = openai."),
    Key<&Config::api, &ApiConfig::system_prompt>("api.system_prompt", Text(),
        "openai: the system message; empty = none."),
    Key<&Config::api, &ApiConfig::temperature>("api.temperature", Temperature(),
        "openai: sampling temperature; -1 = not sent (the server's default)."),
    Key<&Config::api, &ApiConfig::max_tokens>("api.max_tokens", IntRange(0, 100000000),
        "openai: the most tokens a reply may have (sent as max_tokens); 0 = not sent."),
    Key<&Config::api, &ApiConfig::extra_body>("api.extra_body", JsonObjectText(),
        "openai: extra members of every request, as a JSON object text."),
    Key<&Config::api, &ApiConfig::generation_timeout>("api.generation_timeout", Seconds(86400),
        "openai: total time limit of one chat completion, in seconds."),
    Key<&Config::api, &ApiConfig::price_per_million_input_tokens>(
        "api.price_per_million_input_tokens", NumberRange(0, false, 1e6),
        "Price of one million prompt tokens, for cost figures; 0 = not set."),
    Key<&Config::api, &ApiConfig::price_per_million_output_tokens>(
        "api.price_per_million_output_tokens", NumberRange(0, false, 1e6),
        "Price of one million completion tokens, for cost figures; 0 = not set."),

    Key<&Config::duckdb, &DuckdbConfig::db_path>("duckdb.db_path", NonEmptyPath(),
        "DuckDB database file.", "--db-path"),
    Key<&Config::duckdb, &DuckdbConfig::table_name>("duckdb.table_name", Identifier(),
        "Table holding the Cython entries.", "--table"),
    Key<&Config::duckdb, &DuckdbConfig::result_table>("duckdb.result_table", Identifier(),
        "Table receiving the Python results; must differ from duckdb.table_name.", "--result-table"),
    Key<&Config::duckdb, &DuckdbConfig::memory_limit>("duckdb.memory_limit", DuckdbSize(),
        "Upper bound of DuckDB's memory (block cache and working memory); beyond it DuckDB evicts "
        "or spills to a temp directory beside the database."),

    Key<&Config::store, &StoreSettings::url>("store.url", StoreUrl(),
        "PostgreSQL database shared by several runners (docs/scale-out.md); empty = the DuckDB "
        "file at duckdb.db_path. A password only from the config file, CNAKE_STORE_URL, "
        "PGPASSWORD or a password file.", "--store-url"),
    Key<&Config::store, &StoreSettings::lease_time>("store.lease_time", Seconds(86400),
        "PostgreSQL: seconds a runner's leased entries stay its own without a heartbeat; then "
        "other runners take them over.", "--lease-time"),
    Key<&Config::store, &StoreSettings::renew_interval>("store.renew_interval", Seconds(3600),
        "PostgreSQL: seconds between a runner's heartbeats; <= store.lease_time / 3.",
        "--renew-interval"),

    Key<&Config::processing, &ProcessingConfig::batch_size>("processing.batch_size", IntRange(1, 1000000),
        "Entries read from the database per batch.", "--batch-size"),
    Key<&Config::processing, &ProcessingConfig::max_concurrent>("processing.max_concurrent", IntRange(1, 10000),
        "Maximum translation jobs in flight at once.", "--max-concurrent"),
    Key<&Config::processing, &ProcessingConfig::job_timeout>("processing.job_timeout", Seconds(604800),
        "Time limit for one translation job, from submission to result, in seconds.", "--job-timeout"),
    Key<&Config::processing, &ProcessingConfig::poll_interval>("processing.poll_interval", Seconds(3600),
        "First delay between job status polls, in seconds; <= processing.max_poll_interval."),
    Key<&Config::processing, &ProcessingConfig::max_poll_interval>("processing.max_poll_interval", Seconds(3600),
        "Upper bound of the growing poll delay, in seconds."),
    Key<&Config::processing, &ProcessingConfig::prompt_template>("processing.prompt_template", PromptTemplate(),
        "Prompt sent with each snippet."),
    Key<&Config::processing, &ProcessingConfig::circuit_breaker_threshold>(
        "processing.circuit_breaker_threshold", IntRange(1, 1000000),
        "Consecutive API failures after which the run stops sending requests."),
    Key<&Config::processing, &ProcessingConfig::shutdown_grace>("processing.shutdown_grace",
        NumberRange(0, false, 3600),
        "After SIGINT/SIGTERM, seconds to let in-flight jobs finish before cancelling them."),

    Key<&Config::processing, &ProcessingConfig::rate_limit, &RateLimitConfig::requests_per_minute>(
        "processing.rate_limit.requests_per_minute", NumberRange(0, true, 1e6),
        "Sustained request rate to the API (token bucket refill).", "--rpm"),
    Key<&Config::processing, &ProcessingConfig::rate_limit, &RateLimitConfig::burst>(
        "processing.rate_limit.burst", IntRange(1, 1000000),
        "Requests that may be sent back to back (token bucket size)."),
    Key<&Config::processing, &ProcessingConfig::rate_limit, &RateLimitConfig::tokens_per_minute>(
        "processing.rate_limit.tokens_per_minute", NumberRange(0, false, 1e12),
        "Tokens (prompt + completion) per minute, for APIs that report usage; 0 = no token budget."),

    Key<&Config::logging, &LoggingConfig::level>("logging.level",
        OneOf({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}),
        "Log level; stored lower case (\"warning\" becomes \"warn\").", "--log-level", NormalizeLevel),
    Key<&Config::logging, &LoggingConfig::file>("logging.file", AnyString(),
        "Log file (appended to; rotated at 10 MiB, 3 older files kept); empty = no log file.",
        "--log-file"),
    Key<&Config::logging, &LoggingConfig::format>("logging.format", OneOf({"text", "json"}),
        "Log line format.", "--log-format",
        [](std::string s) { return Lower(std::move(s)); }),
  };
  // clang-format on
  for (auto& d : t) {
    if (d.path == "api.api_key") d.flag_forbidden = true;
    if (d.path == "store.url") {
      d.flag_refuses_password = true;
      d.redact = [](const std::string& v) { return RedactStoreUrl(v); };
    }
  }
  return t;
}

}  // namespace

std::string KeyDescriptor::EnvName() const {
  std::string name(kEnvPrefix);
  for (char c : path) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

const std::vector<KeyDescriptor>& KeyTable() {
  static const std::vector<KeyDescriptor> kTable = BuildTable();
  return kTable;
}

const KeyDescriptor* FindKey(std::string_view path) {
  for (const auto& d : KeyTable()) {
    if (d.path == path) return &d;
  }
  return nullptr;
}

std::vector<std::string> AllConfigKeys() {
  std::vector<std::string> keys;
  for (const auto& d : KeyTable()) keys.push_back(d.path);
  return keys;
}

bool IsConfigSection(std::string_view path) {
  if (path.empty()) return false;
  for (const auto& d : KeyTable()) {
    if (d.path.size() > path.size() && d.path.compare(0, path.size(), path) == 0 &&
        d.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace cnake
