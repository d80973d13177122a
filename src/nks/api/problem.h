// RFC 9457 problem documents (application/problem+json). Every refusal of
// the API has a stable code from the catalogue below, its HTTP status, a
// Danish and an English message, and a precise English detail naming the
// field or header at fault. CPR numbers are masked in every detail.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nks/core/status.h"
#include "nks/http/server.h"

namespace nks::api {

struct ProblemType {
  std::string_view code;  // stable: clients may switch on it
  int status;
  std::string_view message_en;
  std::string_view message_da;
};

// Every code the API answers with.
const std::vector<ProblemType>& ProblemCatalogue();
// The entry for `code`; NKS_CHECKs that it exists (a typo is a bug).
const ProblemType& Problem(std::string_view code);

// {"type","title","status","code","detail","message":{"da","en"},"instance"}
std::string ProblemJson(std::string_view code, std::string_view detail, std::string_view instance);
// Fills `response` with the problem document and its status.
void SetProblem(http::Response* response, std::string_view code, std::string_view detail,
                std::string_view instance);

// The problem code for a domain error (Status code -> API code).
std::string_view ProblemCodeFor(const Status& status);

}  // namespace nks::api
