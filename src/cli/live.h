// The live status channel seen from a second process: when the database is
// locked by a running cnake-charmer-client, `status`, `stats` and `cancel`
// read its run file and talk to its control endpoint.
#pragma once

#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "control/control_server.h"

namespace cnake::cli {

// The run file of the cnake-charmer-client holding the database (given the
// kLocked status from opening it), or a kLocked error naming who holds it
// when that is not one of ours.
Result<control::RunFile> LiveRun(const Context& ctx, const Status& locked);

// Prints a live /status document for people.
void PrintLive(const Context& ctx, const nlohmann::json& status);

}  // namespace cnake::cli
