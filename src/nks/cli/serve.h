// `nks serve`: the HTTP API server over the data directory.
#pragma once

#include <string>
#include <vector>

#include "nks/http/server.h"

namespace nks::cli {

struct ServeOptions {
  std::string data_dir;
  std::string clock;       // --clock, empty: the system clock
  std::string access_log;  // file, or "-"/empty for stderr
  bool demo = false;       // --demo: POST /auth/demo (loopback addresses only)
  std::vector<std::string> origins;  // --public-origin
  http::ServerOptions server;
};

// Serves until SIGTERM or SIGINT, then finishes the requests in hand.
int Serve(const ServeOptions& options);

}  // namespace nks::cli
