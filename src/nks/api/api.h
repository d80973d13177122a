// The REST API of `nks serve` under /api/v1 (issue 4), plus /healthz,
// /readyz and /metrics: the routes, who may call each, JSON bodies and
// problem+json errors, Idempotency-Key replays, the access log and metrics.
//
// Threads: GET /api/v1/nemkonto/{id} reads only the in-memory resolution
// index under a shared lock (no database query); everything that touches
// the store is serialised on one mutex, and register changes also hold the
// index's lock exclusively while they apply to it.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nks/access/access.h"
#include "nks/api/router.h"
#include "nks/audit/audit.h"
#include "nks/authority/config.h"
#include "nks/core/time.h"
#include "nks/http/access_log.h"
#include "nks/http/metrics.h"
#include "nks/http/server.h"
#include "nks/payments/intake.h"
#include "nks/register/register.h"
#include "nks/store/store.h"

namespace nks::api {

constexpr size_t kJsonBodyBytesMax = 64 * 1024;
// Larger payment files go through `nks submit` (a 1M-payment file is ~600 MB).
constexpr size_t kPaymentFileBytesMax = 64 * 1024 * 1024;
constexpr size_t kIdempotencyKeyBytesMax = 255;

struct ApiOptions {
  std::filesystem::path data_dir;  // outbox/, inbox/, cache/ live here
};

// Every route: method and path template, as the OpenAPI document must list.
std::vector<std::pair<std::string, std::string>> ApiRoutes();
// The OpenAPI 3.1 document served at /api/v1/openapi.json.
std::string_view OpenApiDocument();

class Api final : public http::Handler {
 public:
  // `store`, `reg`, `clock` and `log` (may be null) must outlive the API.
  // Loads the principals and the register's index.
  static Result<std::unique_ptr<Api>> Open(store::Store* store, reg::Register* reg, const Clock* clock,
                                           ApiOptions options, http::AccessLog* log);
  ~Api() override;

  size_t BodyLimit(std::string_view method, std::string_view target) const override;
  void Handle(const http::Request& request, http::Response* response) override;
  void Refuse(int status, std::string_view code, std::string_view detail, http::Response* response) override;
  void Answered(const http::Request& request, const http::Response& response, double seconds) override;

  // Picks up other processes' register changes and configuration (called
  // every second or so by `nks serve`).
  Status Refresh();
  // /readyz answers 503 once the server is stopping.
  void SetServer(const http::Server* server) { server_ = server; }
  const http::Metrics& metrics() const { return *metrics_; }

  struct Context;
  struct RouteSpec;
  // The route table, hot path first.
  static const std::vector<RouteSpec>& Routes();

 private:
  Api(store::Store* store, reg::Register* reg, const Clock* clock, ApiOptions options, http::AccessLog* log);
  Status LoadPrincipals();
  // The caller's principal, or false with a problem in `response`.
  bool Authenticate(const http::Request& request, http::Response* response, std::string_view path,
                    store::Principal* out);
  void Dispatch(Context& c, const RouteSpec& spec);
  // The audit log (audit/audit.h): see api.cc for what each records.
  std::string AuditTarget(const Context& c) const;
  bool AuditLogin(Context& c);
  void AuditAfter(Context& c, const RouteSpec& spec);
  void AuditedChange(Context& c, const std::function<void()>& change);
  void WithIdempotency(Context& c, void (Api::*handler)(Context&));

  // Route handlers.
  void Healthz(Context& c);
  void Readyz(Context& c);
  void MetricsText(Context& c);
  void OpenApi(Context& c);
  void WhoAmI(Context& c);
  void GetNemKonto(Context& c);
  void PutNemKonto(Context& c);
  void DeleteNemKonto(Context& c);
  void GetHistory(Context& c);
  void PostActivation(Context& c);
  void ListSpecific(Context& c);
  void PutSpecific(Context& c);
  void DeleteSpecific(Context& c);
  void PostPaymentFile(Context& c);
  void GetPaymentFile(Context& c);
  void GetStatusReport(Context& c);
  void SearchPayments(Context& c);
  void GetPayment(Context& c);
  void StopPayment(Context& c);
  void ListUsers(Context& c);
  // Four-eyes approval: a held change, the list, approve and reject.
  void HoldForApproval(Context& c);
  void ListPendingChanges(Context& c);
  void ApprovePendingChange(Context& c);
  void RejectPendingChange(Context& c);
  void GetControlList(Context& c);
  // Administration of the caller's authority (admin.cc).
  void GetAuthority(Context& c);
  void PutPolicy(Context& c);
  void PutLosUnit(Context& c);
  void PutBenefitType(Context& c);
  void PostConnection(Context& c);
  void PutRoleProfile(Context& c);
  void PutUser(Context& c);
  // Single payments and bank reports (payments_api.cc).
  void PostPayment(Context& c);
  void PostBankReport(Context& c);
  // Applies one configuration statement the request makes, with its history
  // and audit entries in one transaction; answers 200/201 or a problem.
  void ApplyAdministration(Context& c, const authority::ConfigFile& file);
  // Employees: `needs` granted at a root of their authority's LOS tree.
  bool CheckAuthorityWide(Context& c, access::Functions needs);
  // The change's audit entry, to run inside the change's transaction
  // (inside store_mu_); marks the context committed.
  std::function<Status()> AuditInTransaction(Context& c);
  // Stores `content` in DATA/inbox/SYSTEM/ and runs the intake on it.
  Result<payments::IntakeResult> RunIntake(Context& c, const std::string& content, std::string_view extension,
                                           const payments::IncomingReader& reader);
  // Employees: the route's function and the segregation of duties; false
  // with a problem in the response when refused.
  bool CheckFunction(Context& c, const RouteSpec& spec);
  // Employees: a grant of one of `needs` covers LOS unit `los`.
  bool CheckScope(Context& c, access::Functions needs, const std::string& los);

  store::Store* store_;
  reg::Register* reg_;
  const Clock* clock_;
  ApiOptions options_;
  http::AccessLog* log_;
  const http::Server* server_ = nullptr;
  Router router_;
  std::unique_ptr<http::Metrics> metrics_;

  std::mutex store_mu_;               // the store, the register's writes, intake
  mutable std::shared_mutex index_mu_;  // the index and the principals
  const reg::ResolutionIndex* index_ = nullptr;
  std::unordered_map<std::string, store::Principal> principals_;  // match -> principal
  // Employees' rights by "authority/user", and the LOS trees (SPEC §4.3).
  std::unordered_map<std::string, access::Rights> rights_;
  access::LosTree los_tree_;
  std::vector<store::User> users_;
  std::unordered_set<uint32_t> four_eyes_;  // authorities with four-eyes approval on
  std::unique_ptr<payments::Intake> intake_;
  int64_t intake_generation_ = -1;
  size_t intake_config_changes_ = 0;
  std::atomic<uint64_t> upload_counter_{0};
  std::unique_ptr<audit::AuditLog> audit_;  // used under store_mu_
  std::mutex login_mu_;
  std::unordered_set<std::string> logged_in_;  // principals seen since start
};

}  // namespace nks::api
