#include "nks/api/problem.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace nks::api {
namespace {

TEST(Problem, DocumentHasCodeStatusAndBothLanguages) {
  http::Response r;
  SetProblem(&r, "unknown-field", "colour: unknown field", "/api/v1/nemkonto/cpr:0102851237");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(r.problem, "unknown-field");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["type"], "https://nemkonto.dk/problems/unknown-field");
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["code"], "unknown-field");
  EXPECT_EQ(j["detail"], "colour: unknown field");
  EXPECT_FALSE(j["message"]["da"].get<std::string>().empty());
  EXPECT_FALSE(j["message"]["en"].get<std::string>().empty());
  EXPECT_EQ(j["instance"], "/api/v1/nemkonto/cpr:010285XXXX");  // CPR masked
}

TEST(Problem, MasksCprsInDetailsEvenPercentEncoded) {
  auto j = nlohmann::json::parse(ProblemJson("invalid-request", "recipient 010285-1237 unknown",
                                             "/api/v1/nemkonto/%30102851237"));
  EXPECT_EQ(j["detail"].get<std::string>().find("1237"), std::string::npos);
  EXPECT_EQ(j["instance"].get<std::string>().find("1237"), std::string::npos);
}

TEST(Problem, CatalogueCodesAreUniqueAndMessagesDiffer) {
  std::set<std::string_view> seen;
  for (const auto& p : ProblemCatalogue()) {
    EXPECT_TRUE(seen.insert(p.code).second) << p.code;
    EXPECT_GE(p.status, 400);
    EXPECT_LT(p.status, 600);
    EXPECT_NE(p.message_da, p.message_en) << p.code;
  }
}

TEST(Problem, DomainStatusesMapToCodes) {
  EXPECT_EQ(ProblemCodeFor(Status::Invalid("x")), "invalid-request");
  EXPECT_EQ(ProblemCodeFor(Status::NotFound("x")), "not-found");
  EXPECT_EQ(ProblemCodeFor(Status::FailedPrecondition("already forwarded")), "conflict");
  EXPECT_EQ(ProblemCodeFor(Status::PermissionDenied("x")), "forbidden");
  EXPECT_EQ(ProblemCodeFor(Status::IoError("x")), "internal");
}

}  // namespace
}  // namespace nks::api
