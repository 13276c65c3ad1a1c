// cnake-charmer-client entry point. Startup and configuration failures that
// escape as exceptions end here with exit code 2; everything else is a value.
#include <iostream>

#include "cli/app.h"
#include "config/config_loader.h"
#include "util/exit_codes.h"

int main(int argc, char** argv) {
  try {
    return cnake::cli::RunCli(argc, argv, cnake::ProcessEnvironment(), std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cnake::kExitUsage;
  }
}
