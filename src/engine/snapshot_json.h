// The live Snapshot as the outside world reads it: the JSON document of the
// live status channel and `--progress json`, and Prometheus metrics.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/snapshot.h"

namespace cnake::engine {

nlohmann::json SnapshotJson(const Snapshot& s);
// Prometheus text exposition format (version 0.0.4).
std::string PrometheusMetrics(const Snapshot& s);

}  // namespace cnake::engine
