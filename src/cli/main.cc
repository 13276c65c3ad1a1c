// cnake-charmer-client entry point. Startup and configuration failures that
// escape as exceptions end here with exit code 2; everything else is a value.
#include <iostream>

#include "cli/allocator.h"
#include "cli/app.h"
#include "cli/signals.h"
#include "config/config_loader.h"
#include "util/exit_codes.h"

int main(int argc, char** argv) {
  cnake::cli::TuneAllocator();
  try {
    // Before any thread exists, so that every thread blocks SIGINT/SIGTERM.
    cnake::cli::SignalWatcher signals;
    return cnake::cli::RunCli(argc, argv, cnake::ProcessEnvironment(), std::cout, std::cerr,
                              &signals);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cnake::kExitUsage;
  }
}
