#include "nks/api/api.h"

#include "nks/api/handler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nks/api/context.h"
#include "nks/api/problem.h"
#include "nks/audit/audit.h"
#include "nks/core/account.h"
#include "nks/core/file.h"
#include "nks/core/ids.h"
#include "nks/core/sha256.h"
#include "nks/core/money.h"
#include "nks/core/csv.h"
#include "nks/letters/table_pdf.h"
#include "nks/payments/pain001_source.h"
#include "nks/payments/search.h"
#include "nks/payments/stop.h"

namespace nks::api {

// The route table: the OpenAPI document must list exactly these.
const std::vector<Api::RouteSpec>& Api::Routes() {
  static const std::vector<Api::RouteSpec> kRoutes = {
      {"GET", "/api/v1/nemkonto/{id}", kAnyone, 0, false, &Api::GetNemKonto, Audited::kRead, access::kRegisterRead | access::kReporting},  // the hot path first
      {"GET", "/healthz", kPublic, 0, false, &Api::Healthz, Audited::kNo, 0},
      {"GET", "/readyz", kPublic, 0, false, &Api::Readyz, Audited::kNo, 0},
      {"GET", "/metrics", kPublic, 0, false, &Api::MetricsText, Audited::kNo, 0},
      {"GET", "/api/v1/openapi.json", kPublic, 0, false, &Api::OpenApi, Audited::kNo, 0},
      {"GET", "/api/v1/whoami", kAnyone, 0, false, &Api::WhoAmI, Audited::kNo, 0},
      {"PUT", "/api/v1/nemkonto/{id}", kBanks | kEmployees | kCitizens, kJsonBodyBytesMax, true, &Api::PutNemKonto, Audited::kChange, access::kNemKontoUpdate},
      {"DELETE", "/api/v1/nemkonto/{id}", kBanks | kEmployees | kCitizens, 0, true, &Api::DeleteNemKonto, Audited::kChange, access::kNemKontoUpdate},
      {"GET", "/api/v1/nemkonto/{id}/history", kBanks | kEmployees, 0, false, &Api::GetHistory, Audited::kRead, access::kRegisterRead | access::kNemKontoUpdate},
      {"POST", "/api/v1/nemkonto/{id}/activation", kEmployees | kCitizens, kJsonBodyBytesMax, true, &Api::PostActivation, Audited::kChange, access::kNemKontoUpdate},
      {"GET", "/api/v1/nemkonto/{id}/specific-accounts", kEmployees | kCitizens, 0, false, &Api::ListSpecific, Audited::kRead, access::kRegisterRead | access::kSpecificUpdate},
      {"PUT", "/api/v1/nemkonto/{id}/specific-accounts/{benefit}", kEmployees | kCitizens, kJsonBodyBytesMax, true,
       &Api::PutSpecific, Audited::kChange, access::kSpecificUpdate},
      {"DELETE", "/api/v1/nemkonto/{id}/specific-accounts/{benefit}", kEmployees | kCitizens, 0, true, &Api::DeleteSpecific, Audited::kChange, access::kSpecificUpdate},
      {"POST", "/api/v1/payment-files", kSystems, kPaymentFileBytesMax, true, &Api::PostPaymentFile, Audited::kChange, 0},
      {"POST", "/api/v1/payments", kSystems, kJsonBodyBytesMax, true, &Api::PostPayment, Audited::kChange, 0},
      {"POST", "/api/v1/bank-reports", kBanks, kPaymentFileBytesMax, true, &Api::PostBankReport, Audited::kChange, 0},
      {"GET", "/api/v1/payment-files/{msg_id}", kSystems, 0, false, &Api::GetPaymentFile, Audited::kNo, 0},
      {"GET", "/api/v1/payment-files/{msg_id}/status-report", kSystems, 0, false, &Api::GetStatusReport, Audited::kNo, 0},
      {"GET", "/api/v1/payments", kSystems | kEmployees, 0, false, &Api::SearchPayments, Audited::kRead, access::kPaymentsSearch},
      {"GET", "/api/v1/payments/{system}/{end_to_end}", kSystems | kEmployees, 0, false, &Api::GetPayment, Audited::kRead, access::kPaymentsSearch | access::kPaymentsStop},
      {"POST", "/api/v1/payments/{system}/{end_to_end}/stop", kSystems | kEmployees, kJsonBodyBytesMax, true,
       &Api::StopPayment, Audited::kChange, access::kPaymentsStop},
      {"GET", "/api/v1/users", kEmployees, 0, false, &Api::ListUsers, Audited::kNo, access::kUsersAdmin},
      {"GET", "/api/v1/authority", kEmployees, 0, false, &Api::GetAuthority, Audited::kNo, 0},
      {"PUT", "/api/v1/authority/policy", kEmployees, kJsonBodyBytesMax, true, &Api::PutPolicy, Audited::kChange, access::kUsersAdmin},
      {"PUT", "/api/v1/authority/los-units/{id}", kEmployees, kJsonBodyBytesMax, true, &Api::PutLosUnit, Audited::kChange, access::kUsersAdmin},
      {"PUT", "/api/v1/authority/benefit-types/{code}", kEmployees, kJsonBodyBytesMax, true, &Api::PutBenefitType, Audited::kChange, access::kBenefitTypes},
      {"POST", "/api/v1/authority/connections", kEmployees, kJsonBodyBytesMax, true, &Api::PostConnection, Audited::kChange, access::kUsersAdmin},
      {"PUT", "/api/v1/authority/role-profiles/{name}", kEmployees, kJsonBodyBytesMax, true, &Api::PutRoleProfile, Audited::kChange, access::kUsersAdmin},
      {"PUT", "/api/v1/users/{id}", kEmployees, kJsonBodyBytesMax, true, &Api::PutUser, Audited::kChange, access::kUsersAdmin},
      {"GET", "/api/v1/control-list", kEmployees, 0, false, &Api::GetControlList, Audited::kNo, access::kControl},
      {"GET", "/api/v1/pending-changes", kEmployees, 0, false, &Api::ListPendingChanges, Audited::kNo,
       access::kReporting},
      {"POST", "/api/v1/pending-changes/{id}/approve", kEmployees, 0, false, &Api::ApprovePendingChange,
       Audited::kChange, access::kReporting},
      {"POST", "/api/v1/pending-changes/{id}/reject", kEmployees, 0, false, &Api::RejectPendingChange,
       Audited::kChange, access::kReporting},
      // Human login (auth.cc): each authenticates by session itself.
      {"GET", "/auth/session", kPublic, 0, false, &Api::GetAuthSession, Audited::kNo, 0},
      {"POST", "/auth/logout", kPublic, 0, false, &Api::PostLogout, Audited::kNo, 0},
      {"POST", "/auth/demo", kPublic, kJsonBodyBytesMax, false, &Api::PostDemoLogin, Audited::kNo, 0},
      {"GET", "/auth/login", kPublic, 0, false, &Api::GetAuthLogin, Audited::kNo, 0},
      {"GET", "/auth/callback", kPublic, 0, false, &Api::GetAuthCallback, Audited::kNo, 0},
  };
  return kRoutes;
}


std::vector<std::pair<std::string, std::string>> ApiRoutes() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : Api::Routes()) out.emplace_back(r.method, r.path);
  return out;
}

Api::Api(store::Store* store, reg::Register* reg, const Clock* clock, ApiOptions options, http::AccessLog* log)
    : store_(store), reg_(reg), clock_(clock), options_(std::move(options)), log_(log) {
  std::vector<std::string> labels;
  for (const auto& r : Routes()) {
    router_.Add(r.method, r.path);
    labels.push_back(std::string(r.method) + " " + r.path);
  }
  metrics_ = std::make_unique<http::Metrics>(labels);
  oidc_ = std::make_unique<OidcState>();
  audit_ = std::make_unique<audit::AuditLog>(store_, clock_);
}

Api::~Api() = default;

Result<std::unique_ptr<Api>> Api::Open(store::Store* store, reg::Register* reg, const Clock* clock,
                                       ApiOptions options, http::AccessLog* log) {
  std::unique_ptr<Api> api(new Api(store, reg, clock, std::move(options), log));
  NKS_ASSIGN_OR_RETURN(api->index_, reg->Index());
  NKS_RETURN_IF_ERROR(api->LoadPrincipals());
  return api;
}

Status Api::LoadPrincipals() {
  NKS_ASSIGN_OR_RETURN(std::vector<store::Principal> list, store_->LoadPrincipals());
  NKS_ASSIGN_OR_RETURN(store::ConfigSnapshot config, store_->LoadConfig());
  std::unordered_map<std::string, store::Principal> map;
  // A payment system's own certificate= names it too; principal statements win.
  for (const auto& s : config.systems) {
    if (s.certificate.empty()) continue;
    store::Principal p;
    p.match = s.certificate;
    std::transform(p.match.begin(), p.match.end(), p.match.begin(),
                   [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
    p.kind = PrincipalKind::kSystem;
    p.system = s.id;
    map[p.match] = p;
  }
  for (auto& p : list) map[p.match] = p;
  NKS_ASSIGN_OR_RETURN(std::vector<store::User> users, store_->LoadUsers());
  NKS_ASSIGN_OR_RETURN(std::vector<store::RoleProfile> roles, store_->LoadRoleProfiles());
  std::unordered_map<std::string, access::Rights> rights;
  for (const auto& [match, p] : map) {
    if (p.kind != PrincipalKind::kEmployee) continue;
    rights[fmt::format("{}/{}", p.authority, p.user)] = access::RightsOf(users, roles, p.authority, p.user);
  }
  // Every configured user may also log in as a human (api/auth.cc).
  for (const auto& u : users) {
    const std::string key = fmt::format("{}/{}", u.authority, u.id);
    if (!rights.count(key)) rights[key] = access::RightsOf(users, roles, u.authority, u.id);
  }
  NKS_ASSIGN_OR_RETURN(std::vector<store::OidcProvider> oidc, store_->LoadOidcProviders());
  NKS_ASSIGN_OR_RETURN(std::vector<store::FourEyesSetting> four_eyes, store_->LoadFourEyes());
  std::unordered_set<uint32_t> four_eyes_on;
  for (const auto& f : four_eyes) {
    if (f.enabled) four_eyes_on.insert(f.authority);
  }
  std::unique_lock lock(index_mu_);
  principals_ = std::move(map);
  rights_ = std::move(rights);
  four_eyes_ = std::move(four_eyes_on);
  los_tree_ = access::LosTree(config.los_units);
  users_ = std::move(users);
  oidc_providers_ = std::move(oidc);
  return Status::Ok();
}

Status Api::Refresh() {
  std::lock_guard store_lock(store_mu_);
  {
    std::unique_lock lock(index_mu_);
    NKS_RETURN_IF_ERROR(reg_->CatchUp());
  }
  PurgeSessions();
  return LoadPrincipals();
}

size_t Api::BodyLimit(std::string_view method, std::string_view target) const {
  RouteMatch m = router_.Find(method, target.substr(0, target.find('?')));
  if (m.kind != RouteMatch::Kind::kFound) return 0;
  return Routes()[m.route].body_max;
}

void Api::Refuse(int status, std::string_view code, std::string_view detail, http::Response* response) {
  SetProblem(response, code, detail, "");
  NKS_CHECK(response->status == status);
}

void Api::Answered(const http::Request& request, const http::Response& response, double seconds) {
  metrics_->Record(response.route, response.status, seconds);
  if (log_ != nullptr) log_->Write(request, response, seconds, clock_->Now());
}

bool Api::Authenticate(const http::Request& req, http::Response* res, std::string_view path,
                       store::Principal* out) {
  std::string match;
  if (req.peer != nullptr && req.peer->tls) {
    if (!req.peer->presented_certificate) {
      SetProblem(res, "client-certificate-required", "the TLS handshake carried no client certificate", path);
      return false;
    }
    if (!req.peer->certificate_trusted) {
      SetProblem(res, "client-certificate-untrusted",
                 fmt::format("certificate {}: {}", req.peer->fingerprint, req.peer->verify_error), path);
      return false;
    }
    match = req.peer->fingerprint;
  } else if (!req.proxy_cert_fingerprint.empty()) {
    match = req.proxy_cert_fingerprint;
    for (char& ch : match) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    if (match.rfind("sha256:", 0) != 0) match = "sha256:" + match;
  } else {
    SetProblem(res, "client-certificate-required",
               "no client certificate (plain HTTP: the TLS proxy's X-Client-Cert-SHA256 header is missing)", path);
    return false;
  }
  std::shared_lock lock(index_mu_);
  auto it = principals_.find(match);
  if (it == principals_.end() && req.peer != nullptr && req.peer->tls) {
    it = principals_.find("subject:" + req.peer->subject);
  }
  if (it == principals_.end()) {
    SetProblem(res, "unknown-client",
               fmt::format("certificate {} is not a configured principal (principal statement)", match.substr(0, 80)),
               path);
    return false;
  }
  *out = it->second;  // a copy: Refresh() may replace the map meanwhile
  return true;
}

void Api::Handle(const http::Request& req, http::Response* res) {
  std::string_view target = req.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  RouteMatch m = router_.Find(req.method, path);
  if (m.kind == RouteMatch::Kind::kNoPath) {
    return SetProblem(res, "not-found", fmt::format("no route for {}", path.substr(0, 200)), path);
  }
  if (m.kind == RouteMatch::Kind::kWrongMethod) {
    SetProblem(res, "method-not-allowed", fmt::format("{} is not allowed here; allowed: {}", req.method, m.allow),
               path);
    res->headers.emplace_back("Allow", m.allow);
    return;
  }
  const RouteSpec& spec = Routes()[m.route];
  Context c{req, res, path, query, std::move(m.params), nullptr, {}, {}, false, {}, 0, {}};
  Dispatch(c, spec);
}

namespace {
// The metrics label of route `i`: "GET /api/v1/nemkonto/{id}" (static storage).
std::string_view RouteLabel(size_t i) {
  static const std::vector<std::string> kLabels = [] {
    std::vector<std::string> l;
    for (const auto& r : Api::Routes()) l.push_back(std::string(r.method) + " " + r.path);
    return l;
  }();
  return kLabels[i];
}
}  // namespace

void Api::Dispatch(Context& c, const RouteSpec& spec) {
  c.res->route = RouteLabel(static_cast<size_t>(&spec - Routes().data()));
  if (spec.access != kPublic) {
    store::Principal& principal = c.principal_value;
    // A browser's session cookie counts only without a client certificate.
    c.by_session = SessionCookieOnly(c.req);
    if (c.by_session ? !AuthenticateSession(c) : !Authenticate(c.req, c.res, c.path, &principal)) {
      return AuditAfter(c, spec);
    }
    c.principal_id = PrincipalId(principal);
    c.res->principal = c.principal_id;
    if (!c.by_session && !AuditLogin(c)) return;  // a session's login was audited when it began
    if ((spec.access & (1u << static_cast<unsigned>(principal.kind))) == 0) {
      Fail(c, "forbidden", fmt::format("a {} principal may not call {} {}",
                                       store::PrincipalKindName(principal.kind), spec.method, spec.path));
      return AuditAfter(c, spec);
    }
    c.principal = &principal;
    // "me" in a register path: the logged-in citizen's or company's own id
    // (the portal knows it only masked).
    if (!c.params.empty() && c.params[0] == "me" && c.path.rfind("/api/v1/nemkonto/", 0) == 0) {
      if (auto cpr = Cpr::FromNumber(principal.cpr); principal.kind == PrincipalKind::kCitizen && cpr.ok()) {
        c.params[0] = RecipientId::Of(*cpr).Tagged();
      }
      if (auto cvr = Cvr::FromNumber(principal.cvr); principal.kind == PrincipalKind::kCompany && cvr.ok()) {
        c.params[0] = RecipientId::Of(*cvr).Tagged();
      }
    }
    if (c.by_session && !CheckSessionRequest(c)) return AuditAfter(c, spec);
    if (principal.kind == PrincipalKind::kEmployee && !CheckFunction(c, spec)) return AuditAfter(c, spec);
  }
  void (Api::*handler)(Context&) = spec.handler;
  if (c.principal != nullptr && c.principal->kind == PrincipalKind::kEmployee &&
      (handler == &Api::PutNemKonto || handler == &Api::DeleteNemKonto || handler == &Api::PutSpecific ||
       handler == &Api::DeleteSpecific)) {
    std::shared_lock lock(index_mu_);
    if (four_eyes_.count(c.principal->authority) != 0) handler = &Api::HoldForApproval;
  }
  if (spec.idempotent_write && c.req.has_idempotency_key) {
    WithIdempotency(c, handler);
  } else {
    (this->*handler)(c);
  }
  AuditAfter(c, spec);
}

namespace {

// Who an unauthenticated request came from, as far as it can tell.
std::string UnknownCaller(const http::Request& req) {
  if (req.peer != nullptr && req.peer->tls && req.peer->presented_certificate) {
    return "certificate:" + req.peer->fingerprint;
  }
  if (!req.proxy_cert_fingerprint.empty()) return "certificate:" + req.proxy_cert_fingerprint.substr(0, 100);
  return "anonymous:" + req.remote;
}

}  // namespace

// What a request was about, CPR masked: the recipient for the register's
// routes, else the path and query.
std::string Api::AuditTarget(const Context& c) const {
  if (!c.params.empty() && c.path.rfind("/api/v1/nemkonto/", 0) == 0) {
    auto parsed = ParseRecipientText(c.params[0]);
    std::string target = parsed.ok() ? parsed->TaggedMasked() : MaskCprsIn(c.params[0]);
    if (c.params.size() > 1) target += " benefit=" + c.params[1];
    return MaskCprsIn(target);
  }
  std::string target = http::PercentDecode(c.path);
  if (!c.query.empty()) target += "?" + http::PercentDecode(c.query);
  return MaskCprsIn(target);
}

// The first request of each principal since the server started is its login.
bool Api::AuditLogin(Context& c) {
  {
    std::lock_guard lock(login_mu_);
    if (logged_in_.count(c.principal_id) != 0) return true;
  }
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    st = audit_->Append(c.principal_id, "login", UnknownCaller(c.req), "ok");
  }
  if (!st.ok()) {
    FailStatus(c, st.WithContext("audit log"));
    return false;
  }
  std::lock_guard lock(login_mu_);
  logged_in_.insert(c.principal_id);
  return true;
}

// Records the request when the audit log must: a caseworker's read of a
// person's data, a change that did not commit with its entry (refused,
// failed, replayed, or outside the register), every refusal for
// authentication or permission. An entry that cannot be written turns the
// answer into a 500: nothing is read unrecorded.
void Api::AuditAfter(Context& c, const RouteSpec& spec) {
  // The handler recorded it (logins); nobody was asked to log in (no cookie at all).
  if (c.audit_done || c.res->problem == "session-required") return;
  const int status = c.res->status;
  const bool employee = c.principal != nullptr && c.principal->kind == PrincipalKind::kEmployee;
  const bool refused = status == 401 || status == 403;
  bool record = refused;
  if (spec.audited == Audited::kRead && employee) record = true;
  if (spec.audited == Audited::kChange && c.principal != nullptr && (!c.audit_committed || status >= 400)) {
    record = true;
  }
  if (!record) return;
  std::string outcome = std::to_string(status);
  if (!c.res->problem.empty()) outcome += " " + c.res->problem;
  const std::string actor = c.principal_id.empty() ? UnknownCaller(c.req) : c.principal_id;
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    st = audit_->Append(actor, c.res->route, AuditTarget(c), outcome);
  }
  if (!st.ok()) {
    c.res->headers.clear();
    FailStatus(c, st.WithContext("audit log"));
  }
}

// Inside store_mu_: the register change `change` makes commits together with
// its audit entry.
void Api::AuditedChange(Context& c, const std::function<void()>& change) {
  const std::string target = AuditTarget(c);
  reg_->SetCommitHook([&]() -> Status {
    // An approved four-eyes change is decided in the change's transaction.
    if (c.approving_id != 0) {
      NKS_RETURN_IF_ERROR(store_->DecidePendingChange(c.approving_id, store::PendingState::kApproved, c.approver,
                                                      clock_->Now().time_since_epoch().count()));
    }
    const std::string outcome =
        c.approving_id == 0 ? "committed"
                            : fmt::format("committed (four-eyes change {} approved by {})", c.approving_id, c.approver);
    NKS_RETURN_IF_ERROR(audit_->Append(c.principal_id, c.res->route, target, outcome));
    c.audit_committed = true;
    return Status::Ok();
  });
  change();
  reg_->SetCommitHook({});
}

// A replay gets the first answer and changes nothing; the same key with
// another request is refused. Keys are per principal. The answer is kept
// after the change commits: a crash between the two leaves the key unused,
// and a retry then meets the register's or intake's own replay rules
// (an unchanged NemKonto, a re-sent file's stored answer).
void Api::WithIdempotency(Context& c, void (Api::*handler)(Context&)) {
  if (!ValidIdempotencyKey(c.req.idempotency_key)) {
    return Fail(c, "idempotency-key-invalid", "Idempotency-Key: must be 1-255 visible ASCII characters");
  }
  const std::string hash = RequestHash(c.req.method, c.req.target, c.req.body);
  {
    std::lock_guard lock(store_mu_);
    auto stored = store_->GetIdempotency(IdempotencyOwner(c), c.req.idempotency_key);
    if (!stored.ok()) return FailStatus(c, stored.status());
    if (*stored) {
      if ((*stored)->request_hash != hash) {
        return Fail(c, "idempotency-key-reused",
                    "Idempotency-Key: used before by this client with another method, path or body");
      }
      c.res->status = (*stored)->status;
      c.res->content_type = (*stored)->content_type;
      c.res->body = (*stored)->body;
      c.res->headers.emplace_back("Idempotency-Replayed", "true");
      return;
    }
  }
  // Two requests with one new key at once: the second to record loses and
  // is told so (its change was a replay of the first's by the domain rules).
  (this->*handler)(c);
  if (c.res->status >= 500) return;
  std::lock_guard lock(store_mu_);
  store::IdempotencyRecord r{IdempotencyOwner(c), c.req.idempotency_key, hash, c.res->status, c.res->content_type,
                             c.res->body, clock_->Now().time_since_epoch().count()};
  Status st = store_->AddIdempotency(r);
  if (!st.ok() && st.code() != Code::kAlreadyExists) FailStatus(c, st);
}

// ---- Operations ----

void Api::Healthz(Context& c) {
  c.res->content_type = "application/json";
  c.res->body = "{\"status\":\"ok\"}";
}

void Api::Readyz(Context& c) {
  if (server_ != nullptr && server_->stopping()) return Fail(c, "unavailable", "shutting down");
  c.res->content_type = "application/json";
  c.res->body = "{\"status\":\"ready\"}";
}

void Api::MetricsText(Context& c) {
  c.res->content_type = "text/plain; version=0.0.4";
  c.res->body = metrics_->Render();
}

void Api::OpenApi(Context& c) {
  c.res->content_type = "application/json";
  c.res->body = std::string(OpenApiDocument());
}

void Api::WhoAmI(Context& c) {
  const store::Principal& p = *c.principal;
  json j{{"principal", c.principal_id}, {"kind", std::string(store::PrincipalKindName(p.kind))}};
  if (p.kind == PrincipalKind::kSystem) j["system"] = p.system;
  if (p.kind == PrincipalKind::kBank) j["bank"] = p.bank;
  if (p.kind == PrincipalKind::kEmployee) {
    j["authority"] = p.authority;
    j["user"] = p.user;
  }
  if (p.kind == PrincipalKind::kCitizen) j["cpr"] = Cpr::FromNumber(p.cpr)->Masked();
  if (p.kind == PrincipalKind::kCompany) j["cvr"] = Cvr::FromNumber(p.cvr)->ToString();
  j["session"] = c.by_session;
  if (c.by_session) j["name"] = c.session.name;
  SendJson(c, 200, j);
}

// ---- The register ----

// The hot path: the index only, no allocation beyond the answer.
void Api::GetNemKonto(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id)) return;
  const Date today = CopenhagenDate(clock_->Now());
  std::string account;
  reg::ResolutionKind kind;
  {
    std::shared_lock lock(index_mu_);
    reg::Resolution r = index_->Resolve(id, 0, "", today);
    kind = r.kind;
    if (r.kind != reg::ResolutionKind::kUnresolved) account = index_->Decode(r.account).ToString();
  }
  std::string& out = c.res->body;
  out.reserve(128);
  out = "{\"recipient\":";
  http::AppendJsonString(&out, id.TaggedMasked());
  if (account.empty()) {
    out += ",\"nemkonto\":null}";
  } else {
    out += ",\"nemkonto\":{\"account\":";
    http::AppendJsonString(&out, account);
    out += ",\"via\":";
    http::AppendJsonString(&out, kind == reg::ResolutionKind::kCompanyNemKonto ? "company" : "own");
    out += "}}";
  }
  c.res->content_type = "application/json";
}


void Api::PutNemKonto(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id)) return;
  json body;
  if (!ParseBody(c, {"account"}, {"reference"}, &body)) return;
  std::string account_text, reference;
  if (!StringField(c, body, "account", &account_text) || !StringField(c, body, "reference", &reference)) return;
  auto account = Account::Parse(account_text);
  if (!account.ok()) return Fail(c, "invalid-field", "account: " + account.status().message());
  if (c.principal->kind != PrincipalKind::kEmployee && body.contains("reference")) {
    return Fail(c, "unknown-field", "reference: only the authority channel records a reference");
  }
  reg::Actor actor = ActorOf(*c.principal, reference);
  Status checked = reg::CheckActor(actor);
  if (!checked.ok()) return Fail(c, "invalid-field", checked.message());
  Result<reg::SetResult> r = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    std::unique_lock lock(index_mu_);
    AuditedChange(c, [&] { r = reg_->SetNemKonto(id, *account, actor); });
  }
  if (!r.ok()) return FailStatus(c, r.status());
  const char* outcome = r->outcome == reg::SetOutcome::kActive    ? "active"
                        : r->outcome == reg::SetOutcome::kPending ? "pending-activation"
                                                                  : "unchanged";
  json j{{"recipient", id.TaggedMasked()}, {"account", account->ToString()}, {"outcome", outcome},
         {"channel", std::string(store::ChannelName(actor.channel))}};
  if (r->seq != 0) j["seq"] = r->seq;
  if (r->outcome == reg::SetOutcome::kPending) j["activation_letter"] = "sent to the register address";
  SendJson(c, r->outcome == reg::SetOutcome::kUnchanged ? 200 : 201, j);
}

void Api::DeleteNemKonto(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id) || !NoBody(c)) return;
  auto reference = QueryValue(c.query, "reference", {"reference"});
  if (!reference.ok()) return Fail(c, "invalid-query", reference.status().message());
  reg::Actor actor = ActorOf(*c.principal, *reference);
  Status st = reg::CheckActor(actor);
  if (!st.ok()) return Fail(c, "invalid-query", st.message());
  {
    std::lock_guard store_lock(store_mu_);
    std::unique_lock lock(index_mu_);
    AuditedChange(c, [&] { st = reg_->DeleteNemKonto(id, actor); });
  }
  if (!st.ok()) return FailStatus(c, st);
  SendJson(c, 200, json{{"recipient", id.TaggedMasked()}, {"outcome", "deleted"}});
}

void Api::GetHistory(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id)) return;
  Result<reg::RecipientView> v = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    v = reg_->Show(id);
  }
  if (!v.ok()) return FailStatus(c, v.status());
  json j{{"recipient", id.TaggedMasked()}, {"status", v->status}};
  const auto& s = v->nemkonto;
  j["nemkonto"] = s.active ? json{{"account", s.active->ToString()},
                                  {"channel", std::string(store::ChannelName(s.active_channel))},
                                  {"since", TimeText(s.active_since_us)}}
                           : json(nullptr);
  if (s.pending) {
    j["pending"] = {{"account", s.pending->account.ToString()}, {"authority", s.pending->authority},
                    {"reference", MaskCprsIn(s.pending->reference)}, {"expires", TimeText(s.pending->expires_us)},
                    {"failed_attempts", s.pending->failed_attempts}};
  }
  json history = json::array();
  for (const auto& e : v->history) {
    history.push_back({{"seq", e.seq}, {"at", TimeText(e.at_us)},
                       {"kind", std::string(store::NemKontoEventKindName(e.kind))},
                       {"channel", std::string(store::ChannelName(e.channel))}, {"actor", MaskCprsIn(e.actor)},
                       {"old_account", e.old_account}, {"account", e.account},
                       {"reference", MaskCprsIn(e.reference)}});
  }
  j["history"] = std::move(history);
  SendJson(c, 200, j);
}

void Api::PostActivation(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id)) return;
  json body;
  std::string code;
  if (!ParseBody(c, {"code"}, {}, &body) || !StringField(c, body, "code", &code)) return;
  Result<int64_t> seq = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    std::unique_lock lock(index_mu_);
    AuditedChange(c, [&] { seq = reg_->Activate(id, code); });
  }
  if (!seq.ok()) return FailStatus(c, seq.status());
  SendJson(c, 200, json{{"recipient", id.TaggedMasked()}, {"outcome", "activated"}, {"seq", *seq}});
}

void Api::ListSpecific(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id)) return;
  Result<std::vector<reg::SpecificState>> list = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    list = reg_->ListSpecific(id);
  }
  if (!list.ok()) return FailStatus(c, list.status());
  // Each authority sees its own; the citizen all of theirs.
  const bool citizen = c.principal->kind == PrincipalKind::kCitizen;
  json out = json::array();
  for (const auto& s : *list) {
    if (!citizen && s.authority != c.principal->authority) continue;
    out.push_back({{"benefit", s.benefit_type}, {"account", s.account.ToString()},
                   {"valid_until", s.valid_until ? json(FormatDate(*s.valid_until)) : json(nullptr)},
                   {"locked", s.locked}, {"reference", MaskCprsIn(s.reference)}, {"authority", s.authority}});
  }
  SendJson(c, 200, json{{"recipient", id.TaggedMasked()},
                        {"authority", citizen ? json(nullptr) : json(c.principal->authority)},
                        {"specific_accounts", out}});
}

void Api::PutSpecific(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id)) return;
  json body;
  // A citizen changes the account of an unlocked one, naming its authority;
  // an authority's caseworker sets all of it for their own authority.
  const bool citizen = c.principal->kind == PrincipalKind::kCitizen;
  if (citizen ? !ParseBody(c, {"account", "authority"}, {}, &body)
              : !ParseBody(c, {"account", "reference"}, {"valid_until", "locked"}, &body)) {
    return;
  }
  uint32_t authority = c.principal->authority;
  if (citizen) {
    if (!body["authority"].is_number_unsigned() || body["authority"].get<uint64_t>() > 99'999'999) {
      return Fail(c, "invalid-field", "authority: must be the authority's NKS agreement number");
    }
    authority = static_cast<uint32_t>(body["authority"].get<uint64_t>());
  }
  std::string account_text, reference, until_text;
  if (!StringField(c, body, "account", &account_text) || !StringField(c, body, "reference", &reference) ||
      !StringField(c, body, "valid_until", &until_text)) {
    return;
  }
  bool locked = false;
  if (body.contains("locked")) {
    if (!body["locked"].is_boolean()) return Fail(c, "invalid-field", "locked: must be true or false");
    locked = body["locked"].get<bool>();
  }
  auto account = Account::Parse(account_text);
  if (!account.ok()) return Fail(c, "invalid-field", "account: " + account.status().message());
  std::optional<Date> until;
  if (!until_text.empty()) {
    auto d = ParseDate(until_text);
    if (!d.ok()) return Fail(c, "invalid-field", "valid_until: " + d.status().message());
    until = *d;
  }
  reg::Actor actor = ActorOf(*c.principal, reference);
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    std::unique_lock lock(index_mu_);
    AuditedChange(c, [&] { st = reg_->SetSpecific(id, authority, c.params[1], *account, until, locked, actor); });
  }
  if (!st.ok()) return FailStatus(c, st);
  SendJson(c, 200, json{{"recipient", id.TaggedMasked()}, {"authority", authority},
                        {"benefit", c.params[1]}, {"account", account->ToString()}, {"locked", locked},
                        {"valid_until", until ? json(FormatDate(*until)) : json(nullptr)}});
}

void Api::DeleteSpecific(Context& c) {
  RecipientId id = RecipientId::Of(*Cpr::FromNumber(101010101));
  if (!ParseRecipient(c, c.params[0], &id) || !NoBody(c)) return;
  // A citizen names the authority (?authority=N); a caseworker gives a reference.
  const bool citizen = c.principal->kind == PrincipalKind::kCitizen;
  auto reference = citizen ? QueryValue(c.query, "reference", {"authority"})
                           : QueryValue(c.query, "reference", {"reference"});
  if (!reference.ok()) return Fail(c, "invalid-query", reference.status().message());
  uint32_t authority = c.principal->authority;
  if (citizen) {
    auto text = QueryValue(c.query, "authority", {"authority"});
    if (!text.ok()) return Fail(c, "invalid-query", text.status().message());
    unsigned long n = 0;
    if (text->empty() || text->size() > 8 || text->find_first_not_of("0123456789") != std::string::npos ||
        (n = std::stoul(*text)) == 0) {
      return Fail(c, "invalid-query", "authority: the authority's NKS agreement number is required (?authority=N)");
    }
    authority = static_cast<uint32_t>(n);
  }
  reg::Actor actor = ActorOf(*c.principal, *reference);
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    std::unique_lock lock(index_mu_);
    AuditedChange(c, [&] { st = reg_->DeleteSpecific(id, authority, c.params[1], actor); });
  }
  if (!st.ok()) return FailStatus(c, st);
  SendJson(c, 200, json{{"recipient", id.TaggedMasked()}, {"benefit", c.params[1]}, {"outcome", "deleted"}});
}

// ---- Payments ----

void Api::GetPaymentFile(Context& c) {
  Result<std::optional<store::IntakeFile>> f = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    f = store_->FindIntakeFile(c.principal->system, c.params[0]);
  }
  if (!f.ok()) return FailStatus(c, f.status());
  if (!*f) return Fail(c, "not-found", fmt::format("msg_id: {} sent no file with this MsgId", c.principal->system));
  const auto& file = **f;
  SendJson(c, 200, json{{"msg_id", MaskCprsIn(file.msg_id)}, {"status", file.group_status},
                        {"accepted", file.accepted}, {"rejected", file.rejected},
                        {"received", TimeText(file.received_us)}, {"sha256", file.sha256},
                        {"status_report", "/api/v1/payment-files/" + file.msg_id + "/status-report"}});
}

void Api::GetStatusReport(Context& c) {
  Result<std::optional<store::IntakeFile>> f = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    f = store_->FindIntakeFile(c.principal->system, c.params[0]);
  }
  if (!f.ok()) return FailStatus(c, f.status());
  if (!*f || (*f)->report.empty()) {
    return Fail(c, "not-found", fmt::format("msg_id: no status report for this MsgId of {}", c.principal->system));
  }
  constexpr uint64_t kReportBytesMax = 256 << 20;
  auto text = ReadSmallFile((*f)->report, kReportBytesMax);
  if (!text.ok()) return FailStatus(c, text.status());
  c.res->content_type = "application/xml";
  c.res->body = std::move(*text);
}

void Api::SearchPayments(Context& c) {
  auto pairs = ParseQuery(c.query);
  if (!pairs.ok()) return Fail(c, "invalid-query", pairs.status().message());
  payments::SearchRequest q;
  const std::pair<const char*, std::string*> fields[] = {
      {"authority", &q.authority}, {"los", &q.los},           {"recipient", &q.recipient},
      {"from", &q.from},           {"to", &q.to},             {"amount_min", &q.amount_min},
      {"amount_max", &q.amount_max}, {"benefit", &q.benefit}, {"status", &q.status},
      {"system", &q.system},       {"end_to_end", &q.end_to_end}, {"limit", &q.limit}};
  for (const auto& [k, v] : *pairs) {
    auto it = std::find_if(std::begin(fields), std::end(fields), [&](const auto& f) { return k == f.first; });
    if (it == std::end(fields)) return Fail(c, "invalid-query", fmt::format("{}: unknown query parameter", k.substr(0, 64)));
    *it->second = v;
  }
  // Each principal searches its own: a system its payments, an employee its authority's.
  if (c.principal->kind == PrincipalKind::kSystem) {
    if (!q.system.empty() && q.system != c.principal->system) {
      return Fail(c, "forbidden", "system: a payment system searches only its own payments");
    }
    q.system = c.principal->system;
  } else {
    std::string own = std::to_string(c.principal->authority);
    if (!q.authority.empty() && q.authority != own) {
      return Fail(c, "forbidden", fmt::format("authority: you search only authority {}'s payments", own));
    }
    q.authority = own;
    // Within the LOS subtrees the user may search: the one asked for, or
    // the only one granted; several need a los= to choose.
    if (!q.los.empty()) {
      if (!CheckScope(c, access::kPaymentsSearch, q.los)) return;
    } else {
      auto roots = c.rights.Roots(access::kPaymentsSearch);
      if (roots.size() == 1) q.los = roots[0];
      if (roots.size() > 1) {
        return Fail(c, "outside-los-scope", "los: your role profiles cover several LOS subtrees; name one with los=");
      }
    }
  }
  Result<std::vector<store::Payment>> found = Status::Internal("not run");
  uint32_t limit = 0;
  {
    std::lock_guard store_lock(store_mu_);
    auto query = payments::ParseSearch(*store_, q);
    if (!query.ok()) {
      std::string m = query.status().message();
      if (m.rfind("--", 0) == 0) m = m.substr(2);  // "--amount-min: ..." names the option
      std::replace(m.begin(), m.begin() + static_cast<long>(std::min(m.find(':'), m.size())), '-', '_');
      return Fail(c, "invalid-query", m);
    }
    limit = query->limit;
    found = payments::SearchPayments(*store_, *query);
  }
  if (!found.ok()) return FailStatus(c, found.status());
  json list = json::array();
  for (const auto& p : *found) list.push_back(PaymentJson(p));
  SendJson(c, 200, json{{"payments", list}, {"count", found->size()}, {"limit_reached", found->size() >= limit}});
}

namespace {
// A payment the principal may see: its own system's, or its authority's.
bool MayAccess(const store::Principal& p, const store::Payment& payment) {
  if (p.kind == PrincipalKind::kSystem) return payment.system == p.system;
  return payment.authority == p.authority;
}
}  // namespace

void Api::GetPayment(Context& c) {
  Result<std::optional<store::Payment>> p = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    p = store_->FindPayment(c.params[0], c.params[1]);
  }
  if (!p.ok()) return FailStatus(c, p.status());
  if (!*p || !MayAccess(*c.principal, **p)) {
    return Fail(c, "not-found", "no such payment among those you may see");
  }
  if (!CheckScope(c, access::kPaymentsSearch | access::kPaymentsStop, (*p)->los)) return;
  SendJson(c, 200, PaymentJson(**p));
}

// ---- Users and role profiles (SPEC §4.3) ----

// Checked on every use, not only when granted: a role profile changed since
// may have broken a rule.
bool Api::CheckFunction(Context& c, const RouteSpec& spec) {
  {
    std::shared_lock lock(index_mu_);
    auto it = rights_.find(fmt::format("{}/{}", c.principal->authority, c.principal->user));
    if (it != rights_.end()) c.rights = it->second;
  }
  if (spec.employee_needs == 0) return true;
  const std::string who = fmt::format("user {} of authority {}", c.principal->user, c.principal->authority);
  if (!c.rights.known) {
    Fail(c, "function-not-granted", who + " has no user statement and so no role profile");
    return false;
  }
  if (!c.rights.segregation.ok()) {
    Fail(c, "segregation-of-duties", who + ": " + c.rights.segregation.message());
    return false;
  }
  if (!c.rights.HasAny(spec.employee_needs)) {
    std::string names;
    for (const auto& n : access::FunctionNames(spec.employee_needs)) names += (names.empty() ? "" : " or ") + n;
    Fail(c, "function-not-granted", fmt::format("{} {} needs {}", spec.method, spec.path, names));
    return false;
  }
  return true;
}

bool Api::CheckScope(Context& c, access::Functions needs, const std::string& los) {
  if (c.principal->kind != PrincipalKind::kEmployee) return true;
  bool inside = false;
  {
    std::shared_lock lock(index_mu_);
    inside = c.rights.HasAnyIn(needs, los, los_tree_);
  }
  if (inside) return true;
  std::string roots;
  for (const auto& r : c.rights.Roots(needs)) roots += (roots.empty() ? "" : ", ") + r;
  Fail(c, "outside-los-scope", fmt::format("LOS unit {}: your role profiles cover {}", MaskCprsIn(los), roots));
  return false;
}

void Api::ListUsers(Context& c) {
  json out = json::array();
  {
    std::shared_lock lock(index_mu_);
    for (const auto& u : users_) {
      if (u.authority != c.principal->authority) continue;
      json grants = json::array();
      for (const auto& g : u.grants) grants.push_back({{"role", g.role}, {"los", g.los}});
      auto it = rights_.find(fmt::format("{}/{}", u.authority, u.id));
      access::Rights r = it != rights_.end() ? it->second : access::Rights{};
      out.push_back({{"id", u.id}, {"name", u.name}, {"payment_system_cases", u.payment_system_cases},
                     {"grants", grants}, {"functions", access::FunctionNames(r.all)}});
    }
  }
  SendJson(c, 200, json{{"authority", c.principal->authority}, {"users", out}});
}

// ---- Four-eyes approval ----

void Api::HoldForApproval(Context& c) {
  store::PendingChange p;
  p.authority = c.principal->authority;
  p.requested_by = c.principal->user;
  p.method = c.req.method;
  p.target = c.req.target;
  p.body = c.req.body;
  p.created_us = clock_->Now().time_since_epoch().count();
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    st = store_->AddPendingChange(&p);
  }
  if (!st.ok()) return FailStatus(c, st);
  SendJson(c, 202, json{{"pending_change", p.id}, {"state", "pending"},
                        {"approve", fmt::format("/api/v1/pending-changes/{}/approve", p.id)},
                        {"note", "four-eyes approval: another user of the authority must approve this change"}});
}

namespace {
json PendingJson(const store::PendingChange& p) {
  return json{{"id", p.id}, {"requested_by", p.requested_by}, {"method", p.method},
              {"target", MaskCprsIn(http::PercentDecode(p.target))}, {"created", TimeText(p.created_us)},
              {"state", std::string(store::PendingStateName(p.state))}};
}
}  // namespace

void Api::ListPendingChanges(Context& c) {
  Result<std::vector<store::PendingChange>> list = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    list = store_->ListPendingChanges(c.principal->authority, store::PendingState::kPending);
  }
  if (!list.ok()) return FailStatus(c, list.status());
  json out = json::array();
  for (const auto& p : *list) out.push_back(PendingJson(p));
  SendJson(c, 200, json{{"authority", c.principal->authority}, {"pending_changes", out}});
}

// Runs the held request as its requester made it, once another user who
// holds the function it needs approves; the decision commits with the change.
void Api::ApprovePendingChange(Context& c) {
  if (!NoBody(c)) return;
  int64_t id = 0;
  if (std::sscanf(c.params[0].c_str(), "%" SCNd64, &id) != 1 || id <= 0) {
    return Fail(c, "invalid-query", "id: must be a pending change's number");
  }
  Result<std::optional<store::PendingChange>> found = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    found = store_->GetPendingChange(id);
  }
  if (!found.ok()) return FailStatus(c, found.status());
  if (!*found || (*found)->authority != c.principal->authority) {
    return Fail(c, "not-found", fmt::format("id: no pending change {} for your authority", id));
  }
  const store::PendingChange& p = **found;
  if (p.state != store::PendingState::kPending) {
    return Fail(c, "conflict", fmt::format("pending change {} is {} already", id, store::PendingStateName(p.state)));
  }
  if (p.requested_by == c.principal->user) {
    return Fail(c, "segregation-of-duties", "four-eyes approval: nobody approves their own change");
  }
  std::string_view target = p.target;
  const size_t q = target.find('?');
  RouteMatch m = router_.Find(p.method, target.substr(0, q));
  NKS_CHECK(m.kind == RouteMatch::Kind::kFound);
  const RouteSpec& spec = Routes()[m.route];
  if (!c.rights.HasAny(spec.employee_needs)) {
    return Fail(c, "function-not-granted", fmt::format("approving {} {} needs the function it uses", spec.method, spec.path));
  }
  // The requester's rights are checked again now, as on any use.
  access::Rights requester;
  {
    std::shared_lock lock(index_mu_);
    auto it = rights_.find(fmt::format("{}/{}", p.authority, p.requested_by));
    if (it != rights_.end()) requester = it->second;
  }
  if (!requester.known || !requester.segregation.ok() || !requester.HasAny(spec.employee_needs)) {
    return Fail(c, "function-not-granted", fmt::format("{} no longer holds the function this change needs", p.requested_by));
  }
  http::Request held;
  held.method = p.method;
  held.target = p.target;
  held.body = p.body;
  held.content_type = p.body.empty() ? "" : "application/json";
  held.remote = c.req.remote;
  store::Principal as;
  as.kind = PrincipalKind::kEmployee;
  as.authority = p.authority;
  as.user = p.requested_by;
  Context run{held, c.res, target.substr(0, q), q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
              std::move(m.params), &as, PrincipalId(as), as, false, requester, id, c.principal_id};
  run.principal = &run.principal_value;
  const std::string_view route = c.res->route;
  c.res->route = RouteLabel(m.route);  // the change's own label in its audit entry
  (this->*spec.handler)(run);
  c.res->route = route;
  c.audit_committed = run.audit_committed;
}

void Api::RejectPendingChange(Context& c) {
  if (!NoBody(c)) return;
  int64_t id = 0;
  if (std::sscanf(c.params[0].c_str(), "%" SCNd64, &id) != 1 || id <= 0) {
    return Fail(c, "invalid-query", "id: must be a pending change's number");
  }
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    auto found = store_->GetPendingChange(id);
    if (!found.ok()) return FailStatus(c, found.status());
    if (!*found || (*found)->authority != c.principal->authority) {
      return Fail(c, "not-found", fmt::format("id: no pending change {} for your authority", id));
    }
    st = store_->DecidePendingChange(id, store::PendingState::kRejected, c.principal->user,
                                     clock_->Now().time_since_epoch().count());
  }
  if (!st.ok()) return FailStatus(c, st);
  SendJson(c, 200, json{{"pending_change", id}, {"state", "rejected"}});
}

namespace {

// The control list's CSV (register/bulk.cc) as a PDF table for printing.
Result<std::string> ControlListPdf(const std::string& csv, uint32_t authority, const std::string& month,
                                   const std::string& made_at) {
  letters::TableDocument doc;
  doc.title = fmt::format("Kontrolliste {} for NKS-aftale {}", month, authority);
  doc.subtitle = {"Ændringer af NemKonti og særlige konti foretaget af myndighedens brugere (myndighedskanalen).",
                  "CPR-numre er maskeret. Dannet " + made_at + "."};
  doc.footer = "NemKonto - kontrolliste til myndighedens kontrollant (SPEC 3.4)";
  CsvReader reader = CsvReader::FromText(csv);
  std::vector<std::string_view> fields;
  bool heading = true;
  // Relative widths of the list's columns: time, actor, kind, event,
  // recipient, benefit, old account, account, valid until, locked, reference.
  static constexpr float kShares[] = {1.6f, 1.0f, 0.8f, 1.0f, 1.3f, 1.1f, 1.6f, 1.6f, 0.9f, 0.6f, 1.2f};
  for (;;) {
    NKS_ASSIGN_OR_RETURN(bool more, reader.Next(&fields));
    if (!more) break;
    if (heading) {
      for (size_t i = 0; i < fields.size(); ++i) {
        doc.columns.push_back({std::string(fields[i]), i < std::size(kShares) ? kShares[i] : 1.0f});
      }
      heading = false;
      continue;
    }
    doc.rows.emplace_back(fields.begin(), fields.end());
  }
  if (doc.rows.empty()) doc.subtitle.push_back("Ingen ændringer i måneden.");
  return letters::TablePdf(doc);
}

}  // namespace

void Api::GetControlList(Context& c) {
  auto month = QueryValue(c.query, "month", {"month", "format"});
  if (!month.ok()) return Fail(c, "invalid-query", month.status().message());
  auto format = QueryValue(c.query, "format", {"month", "format"});
  if (!format.ok()) return Fail(c, "invalid-query", format.status().message());
  if (!format->empty() && *format != "csv" && *format != "pdf") {
    return Fail(c, "invalid-query", "format: csv (the default) or pdf");
  }
  int year = 0;
  unsigned m = 0;
  if (month->size() != 7 || (*month)[4] != '-' || std::sscanf(month->c_str(), "%4d-%2u", &year, &m) != 2 || m < 1 ||
      m > 12) {
    return Fail(c, "invalid-query", "month: must be YYYY-MM");
  }
  std::string csv;
  uint64_t rows = 0;
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    st = reg_->WriteControlList(c.principal->authority, year, m, &csv, &rows);
  }
  if (!st.ok()) return FailStatus(c, st);
  const std::string name = fmt::format("kontrolliste-{}-{}", c.principal->authority, *month);
  if (*format == "pdf") {
    auto pdf = ControlListPdf(csv, c.principal->authority, *month, TimeText(clock_->Now().time_since_epoch().count()));
    if (!pdf.ok()) return FailStatus(c, pdf.status());
    c.res->content_type = "application/pdf";
    c.res->body = std::move(*pdf);
  } else {
    c.res->content_type = "text/csv";
    c.res->body = std::move(csv);
  }
  c.res->headers.emplace_back("Content-Disposition",
                              fmt::format("attachment; filename=\"{}.{}\"", name, *format == "pdf" ? "pdf" : "csv"));
}

void Api::StopPayment(Context& c) {
  if (!c.req.body.empty()) {
    json body;
    if (!ParseBody(c, {}, {}, &body)) return;
  }
  Status st;
  std::string report;
  {
    std::lock_guard store_lock(store_mu_);
    auto p = store_->FindPayment(c.params[0], c.params[1]);
    if (!p.ok()) return FailStatus(c, p.status());
    if (!*p || !MayAccess(*c.principal, **p)) return Fail(c, "not-found", "no such payment among those you may see");
    if (!CheckScope(c, access::kPaymentsStop, (*p)->los)) return;
    st = payments::StopPayment(*store_, c.params[0], c.params[1], options_.data_dir / "outbox" / "status",
                               clock_->Now(), "NKS", &report, AuditInTransaction(c));
  }
  if (!st.ok()) return FailStatus(c, st);
  SendJson(c, 200, json{{"system", MaskCprsIn(c.params[0])}, {"end_to_end", MaskCprsIn(c.params[1])},
                        {"status", "stopped"},
                        {"status_report", std::filesystem::path(report).filename().string()}});
}

}  // namespace nks::api
