// The web portal's static files (issue 5, SPEC §6), served by `nks serve`
// itself: the built assets of web/dist/ are compiled into the binary
// (generated/portal_assets.cc, made by CMake with .incbin), so one binary
// carries the portal and nothing is read from disk at run time.
//
// PortalHandler sits in front of the API: /api/, /auth/, /healthz, /readyz
// and /metrics go to the API; every other GET is a portal path. A path
// naming a file of web/dist is that file; any other path without a file
// extension is the single-page application's index.html, so the portal's
// own paths (/borger, /sagsbehandler/betalinger, ...) load on a reload.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nks/http/server.h"

namespace nks::web {

// One built file, as compiled in.
struct Asset {
  std::string_view path;      // "/index.html", "/assets/app.js"
  std::string_view body;
  std::string_view body_gzip;  // empty when web/build.sh made no .gz for it
  std::string_view sha256;     // hex of `body`, for the ETag
};

// The compiled-in files (generated/portal_assets.cc).
const std::vector<Asset>& EmbeddedAssets();

// "text/css; charset=utf-8" and so on, by extension; octet-stream else.
std::string_view ContentTypeFor(std::string_view path);

// The headers every portal answer carries: a Content-Security-Policy that
// allows no inline script or style element and no framing, nosniff, no
// referrer.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

// True when `path` belongs to the API rather than the portal.
bool IsApiPath(std::string_view path);

class Portal {
 public:
  // `assets` must outlive the portal.
  explicit Portal(const std::vector<Asset>& assets);
  // Answers a GET of a portal path: the file, index.html for an
  // application path, 304 when If-None-Match matches, 404 otherwise. Gzip
  // when the client accepts it and a compressed copy exists.
  void Serve(const http::Request& request, std::string_view path, http::Response* response) const;
  const Asset* Find(std::string_view path) const;

 private:
  std::unordered_map<std::string_view, const Asset*> by_path_;
  const Asset* index_ = nullptr;
};

// Routes a request to the portal or to `api` (which must outlive it).
class PortalHandler final : public http::Handler {
 public:
  PortalHandler(const Portal* portal, http::Handler* api) : portal_(portal), api_(api) {}
  size_t BodyLimit(std::string_view method, std::string_view target) const override;
  void Handle(const http::Request& request, http::Response* response) override;
  void Refuse(int status, std::string_view code, std::string_view detail, http::Response* response) override;
  void Answered(const http::Request& request, const http::Response& response, double seconds) override;

 private:
  const Portal* portal_;
  http::Handler* api_;
};

}  // namespace nks::web
