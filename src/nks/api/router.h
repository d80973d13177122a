// Routes of the API: a method and a path template whose segments are
// literals or {parameters}. A request path is split at '/' first and each
// parameter segment percent-decoded after, so "%2F" stays inside one.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nks/core/status.h"

namespace nks::api {

constexpr size_t kPathSegmentsMax = 16;
constexpr size_t kQueryParamsMax = 32;

struct Route {
  std::string method;
  std::string path;  // "/api/v1/nemkonto/{id}"
  std::vector<std::string> segments;
};

struct RouteMatch {
  enum class Kind { kFound, kNoPath, kWrongMethod } kind = Kind::kNoPath;
  size_t route = 0;                 // index into routes() when kFound
  std::vector<std::string> params;  // decoded, in template order
  std::string allow;                // kWrongMethod: "GET, PUT"
};

class Router {
 public:
  // Returns the route's index. NKS_CHECKs that it is not routed already.
  size_t Add(std::string_view method, std::string_view path_template);
  // `path` without the query.
  RouteMatch Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Splits "a=1&b=x%20y" into decoded pairs ('+' is a space). Refuses more
// than kQueryParamsMax parameters and a parameter given twice.
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

}  // namespace nks::api
