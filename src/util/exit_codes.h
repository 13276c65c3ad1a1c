// Process exit codes, documented in README.md ("Exit codes").
#pragma once

namespace cnake {

enum ExitCode : int {
  kExitOk = 0,             // success
  kExitEntriesFailed = 1,  // finished, but some entries failed
  kExitUsage = 2,          // usage or configuration error
  kExitDatabase = 3,       // database error (locked, corrupt, schema mismatch)
  kExitApi = 4,            // API unreachable or authentication failed
  kExitInterrupted = 130,  // SIGINT/SIGTERM
};

}  // namespace cnake
