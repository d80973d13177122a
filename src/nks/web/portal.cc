#include "nks/web/portal.h"

#include <algorithm>
#include <array>
#include <utility>

namespace nks::web {
namespace {

// The SPA's HTML is re-validated on every load (cheap: a 304); the assets
// are too, since their names carry no content hash. Both answer 304 on an
// unchanged ETag, so a reload moves a few hundred bytes.
constexpr std::string_view kCacheControl = "no-cache";
constexpr size_t kPathBytesMax = 512;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Does a comma-separated header list contain `token` (case-sensitive, as
// both gzip and ETags are written)?
bool ListHas(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    size_t semi = item.find(';');
    std::string_view value = item.substr(0, semi);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    // "gzip;q=0" refuses gzip.
    bool refused = semi != std::string_view::npos && item.find("q=0", semi) != std::string_view::npos &&
                   item.find("q=0.", semi) == std::string_view::npos;
    if ((value == token || value == "*") && !refused) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool HasExtension(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view last = path.substr(slash == std::string_view::npos ? 0 : slash + 1);
  return last.find('.') != std::string_view::npos;
}

void PlainError(http::Response* res, int status, std::string_view text) {
  res->status = status;
  res->content_type = "text/plain; charset=utf-8";
  res->body = std::string(text);
  for (const auto& h : SecurityHeaders()) res->headers.push_back(h);
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (path.size() > ext.size() && path.substr(path.size() - ext.size()) == ext) return type;
  }
  return "application/octet-stream";
}

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  return kHeaders;
}

bool IsApiPath(std::string_view path) {
  return StartsWith(path, "/api/") || path == "/api" || StartsWith(path, "/auth/") || path == "/healthz" ||
         path == "/readyz" || path == "/metrics";
}

Portal::Portal(const std::vector<Asset>& assets) {
  for (const Asset& a : assets) by_path_.emplace(a.path, &a);
  index_ = Find("/index.html");
}

const Asset* Portal::Find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : it->second;
}

void Portal::Serve(const http::Request& req, std::string_view path, http::Response* res) const {
  if (req.method != "GET") {
    PlainError(res, 405, "Kun GET er tilladt her. Only GET is allowed here.\n");
    res->headers.emplace_back("Allow", "GET");
    return;
  }
  if (path.size() > kPathBytesMax || path.find("..") != std::string_view::npos) {
    return PlainError(res, 404, "Siden findes ikke. Not found.\n");
  }
  const Asset* asset = Find(path == "/" ? std::string_view("/index.html") : path);
  if (asset == nullptr && !HasExtension(path)) asset = index_;  // an application path
  if (asset == nullptr) return PlainError(res, 404, "Siden findes ikke. Not found.\n");

  for (const auto& h : SecurityHeaders()) res->headers.push_back(h);
  std::string etag = "\"" + std::string(asset->sha256.substr(0, 32)) + "\"";
  res->headers.emplace_back("ETag", etag);
  res->headers.emplace_back("Cache-Control", std::string(kCacheControl));
  res->headers.emplace_back("Vary", "Accept-Encoding");
  res->content_type = std::string(ContentTypeFor(asset->path));
  if (!req.if_none_match.empty() && (ListHas(req.if_none_match, etag) || req.if_none_match == "*")) {
    res->status = 304;
    return;
  }
  res->status = 200;
  if (!asset->body_gzip.empty() && ListHas(req.accept_encoding, "gzip")) {
    res->headers.emplace_back("Content-Encoding", "gzip");
    res->body = std::string(asset->body_gzip);
  } else {
    res->body = std::string(asset->body);
  }
}

size_t PortalHandler::BodyLimit(std::string_view method, std::string_view target) const {
  std::string_view path = target.substr(0, target.find('?'));
  return IsApiPath(path) ? api_->BodyLimit(method, target) : 0;
}

void PortalHandler::Handle(const http::Request& req, http::Response* res) {
  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (IsApiPath(path)) return api_->Handle(req, res);
  portal_->Serve(req, path, res);
}

void PortalHandler::Refuse(int status, std::string_view code, std::string_view detail, http::Response* res) {
  api_->Refuse(status, code, detail, res);
}

void PortalHandler::Answered(const http::Request& req, const http::Response& res, double seconds) {
  api_->Answered(req, res, seconds);  // one access log and one set of metrics for both
}

}  // namespace nks::web
