// `nks serve`: the HTTP API server over the data directory.
#pragma once

#include <string>
#include <vector>

#include "nks/core/status.h"
#include "nks/http/server.h"

namespace nks::cli {

struct ServeOptions {
  std::string data_dir;
  std::string db;          // --db, empty: DATA/nks.db (StoreTarget)
  std::string clock;       // --clock, empty: the system clock
  std::string access_log;  // file, or "-"/empty for stderr
  bool demo = false;       // --demo: POST /auth/demo (loopback addresses only)
  std::vector<std::string> origins;  // --public-origin
  http::ServerOptions server;
};

// What `--data DATA [--db DB]` opens: DB (a SQLite file, or a
// postgresql:// URI), else the SQLite file DATA/nks.db.
std::string StoreTarget(const std::string& data_dir, const std::string& db);

// FailedPrecondition naming `nks init` when DATA has not been initialised
// (its SQLite file, or with --db postgresql://..., the directory for the
// outbox, which init makes).
Status CheckInitialised(const std::string& data_dir, const std::string& db);

// Serves until SIGTERM or SIGINT, then finishes the requests in hand.
int Serve(const ServeOptions& options);

}  // namespace nks::cli
