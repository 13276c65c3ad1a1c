// store.url: the PostgreSQL URL that selects the shared store, checked with
// libpq's own parser, and its password kept out of sight.
#pragma once

#include <string>

namespace cnake {

// "" when `url` is empty (DuckDB) or a postgresql:// (or postgres://) URI
// libpq accepts; else the problem, as a phrase to follow the value (it never
// repeats the value: the URL may hold a password).
std::string StoreUrlProblem(const std::string& url);

// True when the URL carries a password (user:password@ or ?password=).
bool StoreUrlHasPassword(const std::string& url);

// The URL with any password replaced by ***, for messages and `config show`.
std::string RedactStoreUrl(const std::string& url);

}  // namespace cnake
