// What the API's route handlers share (internal to src/nks/api/): the
// request context, the route table's entry, and the helpers that parse
// bodies and write answers. Handlers live in api.cc and, by subject, in
// further files of this directory; each includes this header.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "nks/api/api.h"
#include "nks/core/ids.h"
#include "nks/core/status.h"
#include "nks/register/register.h"
#include "nks/store/store.h"

namespace nks::api {

using json = nlohmann::json;
using store::PrincipalKind;


// What a handler sees of one request.
struct Api::Context {
  const http::Request& req;
  http::Response* res;
  std::string_view path;
  std::string_view query;
  std::vector<std::string> params;
  const store::Principal* principal = nullptr;  // -> principal_value once authenticated
  std::string principal_id;  // "system:KY", "bank:1551", "employee:12345678/cw1", "citizen:DDMMYY-XXXX"
  store::Principal principal_value;
  bool audit_committed = false;  // a register change committed with its audit entry
  access::Rights rights;         // employees: what their role profiles grant
  // Four-eyes: the pending change this request carries out, and who approved it.
  int64_t approving_id = 0;
  std::string approver;
  // Human login: authenticated by the nks_session cookie, and its session.
  bool by_session = false;
  store::Session session{};
  bool audit_done = false;  // the handler wrote the request's audit entry itself
};

// Who may call a route: a bit per PrincipalKind; kPublic needs no client.
enum Access : unsigned {
  kPublic = 0,
  kSystems = 1u << static_cast<unsigned>(PrincipalKind::kSystem),
  kBanks = 1u << static_cast<unsigned>(PrincipalKind::kBank),
  kEmployees = 1u << static_cast<unsigned>(PrincipalKind::kEmployee),
  kCitizens = 1u << static_cast<unsigned>(PrincipalKind::kCitizen),    // by session, their own id only
  kCompanies = 1u << static_cast<unsigned>(PrincipalKind::kCompany),  // by session, their own id only
  kAnyone = kSystems | kBanks | kEmployees | kCitizens | kCompanies,
};

// What the audit log records of a route beyond refusals (which it always
// records): kRead, a caseworker's every read of a person's data; kChange,
// every change (with the change, in its transaction, when it commits).
enum class Audited : uint8_t { kNo, kRead, kChange };

struct Api::RouteSpec {
  const char* method;
  const char* path;
  unsigned access;
  size_t body_max;
  bool idempotent_write;  // honours Idempotency-Key
  void (Api::*handler)(Context&);
  Audited audited;
  // Employees need one of these functions (0: none, any employee).
  access::Functions employee_needs;
};


// The media type of a Content-Type value, without parameters.
std::string_view MediaType(std::string_view content_type);
bool IEquals(std::string_view a, std::string_view b);  // ASCII, case-insensitive

void SendJson(Api::Context& c, int status, const json& body);
// A problem document (problem.h) for the request's path.
void Fail(Api::Context& c, std::string_view code, std::string_view detail);
// A Status as a problem; internal errors go to the server log, not the client.
void FailStatus(Api::Context& c, const Status& st);
// A register path's {id}: "cpr:DDMMYY-SSSS", "cvr:...", "se:...", "p:...",
// or a bare CPR number (10 digits, or 11 with the dash).
Result<RecipientId> ParseRecipientText(const std::string& text);
// The same, answering a bad one with a problem document (false).
bool ParseRecipient(Api::Context& c, const std::string& text, RecipientId* out);
// Parses a JSON object body with only the given fields, the required ones
// present; false with a problem in the response otherwise.
bool ParseBody(Api::Context& c, std::initializer_list<std::string_view> required,
               std::initializer_list<std::string_view> optional, json* out);
// A string field of a parsed body; false (and a problem) when it has another type.
bool StringField(Api::Context& c, const json& body, const char* key, std::string* out);
bool NoBody(Api::Context& c);  // false (and a problem) when the request carries a body
// What an Idempotency-Key's replay must match: method, target and body.
std::string RequestHash(std::string_view method, std::string_view target, std::string_view body);
bool ValidIdempotencyKey(std::string_view key);
std::string TimeText(int64_t us);  // ISO 8601 UTC
std::string MaskedAccount(const std::string& canonical);
json PaymentJson(const store::Payment& p);
// The actor of a register change made by the principal.
reg::Actor ActorOf(const store::Principal& p, const std::string& reference);
// The value of `key` in the query string ("" when absent); any parameter
// not in `allowed` is an error.
Result<std::string> QueryValue(std::string_view query, std::string_view key,
                               std::initializer_list<std::string_view> allowed);

}  // namespace nks::api
