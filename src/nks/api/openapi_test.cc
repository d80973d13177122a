// The OpenAPI document is kept true: every route is documented, and every
// documented operation is routed.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "nks/api/api.h"

namespace nks::api {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

TEST(OpenApi, IsOpenApi31) {
  auto doc = nlohmann::json::parse(OpenApiDocument());
  EXPECT_EQ(doc["openapi"], "3.1.0");
  EXPECT_TRUE(doc["info"].contains("title"));
  EXPECT_TRUE(doc["components"]["schemas"].contains("Problem"));
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryOperationRouted) {
  auto doc = nlohmann::json::parse(OpenApiDocument());
  std::set<std::pair<std::string, std::string>> routed, documented;
  for (const auto& [method, path] : ApiRoutes()) routed.emplace(Lower(method), path);
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options"};
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [key, op] : item.items()) {
      if (kMethods.count(key)) documented.emplace(key, path);
    }
  }
  for (const auto& r : routed) EXPECT_TRUE(documented.count(r)) << "not documented: " << r.first << " " << r.second;
  for (const auto& d : documented) EXPECT_TRUE(routed.count(d)) << "not routed: " << d.first << " " << d.second;
}

TEST(OpenApi, PathParametersAreDeclared) {
  auto doc = nlohmann::json::parse(OpenApiDocument());
  for (const auto& [path, item] : doc["paths"].items()) {
    std::set<std::string> declared;
    auto collect = [&](const nlohmann::json& params) {
      for (const auto& p : params) {
        if (p.contains("in") && p["in"] == "path") declared.insert(p["name"].get<std::string>());
      }
    };
    if (item.contains("parameters")) collect(item["parameters"]);
    for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
      std::string name = path.substr(at + 1, path.find('}', at) - at - 1);
      EXPECT_TRUE(declared.count(name)) << path << ": {" << name << "} not declared";
    }
  }
}

}  // namespace
}  // namespace nks::api
