// The `nks` command line: one binary, one subcommand per job (SPEC §9).
#pragma once

namespace nks::cli {

// Returns the process exit code: 0 done, 1 refused or failed (the reason is
// on stderr), 2 bad usage.
int Run(int argc, char** argv);

}  // namespace nks::cli
