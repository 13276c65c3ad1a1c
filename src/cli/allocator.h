// The process's allocator. Release builds link mimalloc (CMake option
// CNAKE_MIMALLOC), which replaces malloc for the whole process, DuckDB's
// own small allocations included (its block cache keeps its bundled
// jemalloc). Sanitized builds keep their runtime's allocator.
//
// Why: at zero job latency a tenth of the client's CPU was glibc's malloc and
// free, spread over JSON bodies, curl handles and DuckDB's planner; mimalloc
// took 6% off the client's CPU per entry with the settings below
// (docs/benchmarks.md, "Allocator").
#pragma once

#include <string>

namespace cnake::cli {

// Gives freed memory back at once instead of keeping it for reuse: mimalloc's
// defaults (keep freed pages 100 ms, segments 500 ms, commit eagerly) cost
// 6-8 MB more peak RSS, which promise 6's memory bound does not have to spare.
// Call first thing in main(); a no-op without mimalloc.
void TuneAllocator();

// "mimalloc 2.0.9" or "system malloc", for --version.
std::string AllocatorName();

}  // namespace cnake::cli
