// The effective configuration of cnake-charmer-client.
//
// Plain values with the documented defaults (docs/config.md). A Config is
// produced by LoadConfig() (config_loader.h), which validates every field; code
// that receives a Config from there may rely on the documented ranges. Every
// field is listed once in the key table (key_table.cc): adding a field here
// means adding one line there.
#pragma once

#include <string>

#include "config/secret.h"

namespace cnake {

struct RateLimitConfig {
  double requests_per_minute = 60;
  int burst = 5;
  // Tokens (prompt + completion) per minute; 0 = no token budget. Applies
  // to the openai protocol, whose answers report usage.
  double tokens_per_minute = 0;
  bool operator==(const RateLimitConfig&) const = default;
};

struct ApiConfig {
  std::string base_url = "http://localhost:8000/api";  // no trailing '/'
  Secret api_key;                                      // empty = no key sent
  std::string api_key_file;                            // where api_key was read from, if it was
  double timeout = 30;                                 // seconds, total per request
  double connect_timeout = 10;
  // PEM file of CA certificates trusted instead of the system's (a private
  // CA); empty = the system's bundle. The loader checks that it reads as PEM.
  std::string ca_file;
  int max_retries = 3;
  double retry_delay = 5;  // seconds, exponential backoff base
  double max_retry_delay = 300;

  // Which API the base URL speaks: "cnakecharmer" (the CnakeCharmer
  // contract) or "openai" (chat completions; the keys below apply).
  std::string protocol = "cnakecharmer";
  std::string model;  // openai: the model to ask (required)
  std::string system_prompt = kDefaultSystemPrompt;
  double temperature = -1;          // -1: not sent (the server's default); else 0..2
  int max_tokens = 0;               // 0: not sent
  std::string extra_body;           // a JSON object merged into each request; "" = none
  double generation_timeout = 300;  // seconds: one chat completion, start to end
  // Prices for the cost figures; 0 = not set (no cost shown).
  double price_per_million_input_tokens = 0;
  double price_per_million_output_tokens = 0;

  static constexpr const char* kDefaultSystemPrompt =
      "You translate Cython code into equivalent pure Python. Keep the behaviour, the public "
      "names and the comments; replace C types and cimports with Python equivalents. Answer "
      "with exactly one fenced code block tagged python and nothing else.";
  bool operator==(const ApiConfig&) const = default;
};

struct DuckdbConfig {
  std::string db_path = "./cython_code.duckdb";
  std::string table_name = "cython_entries";  // passes IsValidIdentifier
  std::string result_table = "python_entries";
  // DuckDB's memory_limit: its block cache and spillable working memory stay
  // below this. It caps the largest part of the client's RSS; DuckDB's
  // metadata and checkpoint buffers are outside it (docs/reliability.md, 6).
  std::string memory_limit = "64MB";
  bool operator==(const DuckdbConfig&) const = default;
};

// The shared store (docs/scale-out.md). An empty url keeps the DuckDB file.
struct StoreSettings {
  // postgresql://user@host:port/dbname?sslmode=...; may carry a password only
  // from the config file or CNAKE_STORE_URL (never a flag).
  std::string url;
  double lease_time = 30;     // seconds a runner's leases last without a heartbeat
  double renew_interval = 2;  // seconds between heartbeats; <= lease_time / 3
  bool operator==(const StoreSettings&) const = default;
};

struct ProcessingConfig {
  int batch_size = 50;
  int max_concurrent = 5;
  RateLimitConfig rate_limit;
  double job_timeout = 600;      // seconds
  double poll_interval = 0.025;  // seconds, <= max_poll_interval
  double max_poll_interval = 30;
  // Placeholders: {description}, {id}, {tags}; see prompt_template.h.
  std::string prompt_template =
      "Translate this Cython code to equivalent pure Python.{description}";
  int circuit_breaker_threshold = 5;
  double shutdown_grace = 10;  // seconds
  bool operator==(const ProcessingConfig&) const = default;
};

struct LoggingConfig {
  std::string level = "info";   // lower case: trace|debug|info|warn|error|critical|off
  std::string file = "./processing.log";  // empty = no log file
  std::string format = "text";  // text|json
  bool operator==(const LoggingConfig&) const = default;
};

struct Config {
  ApiConfig api;
  DuckdbConfig duckdb;
  StoreSettings store;
  ProcessingConfig processing;
  LoggingConfig logging;
  bool operator==(const Config&) const = default;
};

}  // namespace cnake
