#include "nks/api/router.h"

#include <gtest/gtest.h>

namespace nks::api {
namespace {

TEST(Router, MatchesLiteralsAndDecodesParameters) {
  Router r;
  size_t get = r.Add("GET", "/api/v1/nemkonto/{id}");
  size_t put = r.Add("PUT", "/api/v1/nemkonto/{id}");
  size_t stop = r.Add("POST", "/api/v1/payments/{system}/{end_to_end}/stop");
  RouteMatch m = r.Find("GET", "/api/v1/nemkonto/cpr:010285-1237");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route, get);
  EXPECT_EQ(m.params, std::vector<std::string>{"cpr:010285-1237"});
  EXPECT_EQ(r.Find("PUT", "/api/v1/nemkonto/x").route, put);
  // "%2F" stays inside its segment.
  m = r.Find("POST", "/api/v1/payments/KY/E2E%2F17/stop");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route, stop);
  EXPECT_EQ(m.params, (std::vector<std::string>{"KY", "E2E/17"}));
}

TEST(Router, TellsWrongMethodFromNoPath) {
  Router r;
  r.Add("GET", "/a/{x}");
  r.Add("PUT", "/a/{x}");
  RouteMatch m = r.Find("POST", "/a/1");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kWrongMethod);
  EXPECT_EQ(m.allow, "GET, PUT");
  EXPECT_EQ(r.Find("GET", "/a").kind, RouteMatch::Kind::kNoPath);
  EXPECT_EQ(r.Find("GET", "/a/").kind, RouteMatch::Kind::kNoPath);  // empty parameter
  EXPECT_EQ(r.Find("GET", "/a/1/2").kind, RouteMatch::Kind::kNoPath);
  EXPECT_EQ(r.Find("GET", "a/1").kind, RouteMatch::Kind::kNoPath);
  EXPECT_EQ(r.Find("GET", std::string(200, '/')).kind, RouteMatch::Kind::kNoPath);  // too many segments
}

TEST(Router, ParsesQueries) {
  auto q = ParseQuery("a=1&b=x%20y+z&&c");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[1], (std::pair<std::string, std::string>{"b", "x y z"}));
  EXPECT_EQ((*q)[2].second, "");
  EXPECT_FALSE(ParseQuery("a=1&a=2").ok());
  std::string many;
  for (int i = 0; i < 40; ++i) many += "k" + std::to_string(i) + "=1&";
  EXPECT_FALSE(ParseQuery(many).ok());
}

}  // namespace
}  // namespace nks::api
