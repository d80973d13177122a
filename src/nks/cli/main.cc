#include "nks/cli/app.h"

int main(int argc, char** argv) { return nks::cli::Run(argc, argv); }
