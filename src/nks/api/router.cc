#include "nks/api/router.h"

#include <fmt/format.h>

#include <algorithm>

#include "nks/http/access_log.h"

namespace nks::api {
namespace {

// Splits "/a/b/c" into {"a","b","c"}; false when the path does not start
// with '/' or has too many segments.
bool Split(std::string_view path, std::vector<std::string_view>* out) {
  out->clear();
  if (path.empty() || path[0] != '/') return false;
  size_t pos = 1;
  while (true) {
    size_t slash = path.find('/', pos);
    out->push_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (out->size() > kPathSegmentsMax) return false;
    if (slash == std::string_view::npos) return true;
    pos = slash + 1;
  }
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

size_t Router::Add(std::string_view method, std::string_view path_template) {
  for (const auto& r : routes_) NKS_CHECK(!(r.method == method && r.path == path_template));
  Route r;
  r.method = std::string(method);
  r.path = std::string(path_template);
  std::vector<std::string_view> parts;
  NKS_CHECK(Split(path_template, &parts));
  for (auto p : parts) r.segments.emplace_back(p);
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

RouteMatch Router::Find(std::string_view method, std::string_view path) const {
  RouteMatch m;
  std::vector<std::string_view> parts;
  if (!Split(path, &parts)) return m;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (r.segments.size() != parts.size()) continue;
    bool fits = true;
    for (size_t s = 0; s < parts.size() && fits; ++s) {
      fits = IsParam(r.segments[s]) ? !parts[s].empty() : r.segments[s] == parts[s];
    }
    if (!fits) continue;
    if (r.method != method) {
      m.kind = RouteMatch::Kind::kWrongMethod;
      m.allow += (m.allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    m.kind = RouteMatch::Kind::kFound;
    m.route = i;
    m.allow.clear();
    for (size_t s = 0; s < parts.size(); ++s) {
      if (IsParam(r.segments[s])) m.params.push_back(http::PercentDecode(parts[s]));
    }
    return m;
  }
  return m;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    pos = amp == std::string_view::npos ? query.size() : amp + 1;
    if (part.empty()) continue;
    if (out.size() == kQueryParamsMax) {
      return Status::Invalid(fmt::format("at most {} query parameters", kQueryParamsMax));
    }
    size_t eq = part.find('=');
    std::string key(part.substr(0, eq)), value(eq == std::string_view::npos ? "" : part.substr(eq + 1));
    std::replace(key.begin(), key.end(), '+', ' ');
    std::replace(value.begin(), value.end(), '+', ' ');
    key = http::PercentDecode(key);
    value = http::PercentDecode(value);
    for (const auto& [k, v] : out) {
      if (k == key) return Status::Invalid(fmt::format("{}: given twice", key));
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

}  // namespace nks::api
