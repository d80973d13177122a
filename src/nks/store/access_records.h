// Records of the API's access control (issue 4): who a client certificate
// is, and the answers kept for Idempotency-Key replays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nks/core/status.h"

namespace nks::store {

// What kind of caller a principal is (SPEC §4.3). Systems, banks and
// employees may have client certificates; citizens (a CPR number) and
// companies (a CVR number, view only) log in as humans (api/auth.cc), as
// employees may too.
enum class PrincipalKind : uint8_t { kSystem = 1, kBank = 2, kEmployee = 3, kCitizen = 4, kCompany = 5 };
// "system", "bank", "employee", "citizen", "company"
std::string_view PrincipalKindName(PrincipalKind k);
Result<PrincipalKind> ParsePrincipalKind(std::string_view text);

// A client certificate mapped to a principal by `principal` statements of
// the configuration. `match` is "sha256:<64 lower-case hex>" (the
// certificate's fingerprint) or "subject:<RFC 2253 subject>".
struct Principal {
  std::string match;
  PrincipalKind kind = PrincipalKind::kSystem;
  std::string system;      // kSystem: the payment system's id
  std::string bank;        // kBank: registration number or BIC
  uint32_t authority = 0;  // kEmployee: the NKS agreement number
  std::string user;        // kEmployee: the user id
  uint64_t cpr = 0;        // kCitizen: Cpr::number (never logged: see the API's principal ids)
  uint64_t cvr = 0;        // kCompany
  bool operator==(const Principal&) const = default;
};

// A human's login session (issue 4, item 4; migration 12). The browser's
// cookie holds a 256-bit random token; the store keeps only its SHA-256.
// `principal.match` is unused. A session ends at the earlier of
// idle_expires_us (15 minutes after its last use) and absolute_expires_us
// (8 hours after it began), or at logout (DeleteSession).
struct Session {
  std::string token_hash;  // SHA-256 (lower-case hex) of the cookie's token
  Principal principal;     // kCitizen, kCompany or kEmployee
  std::string name;        // the person's, company's or user's name, for the portal
  std::string csrf_token;  // the X-CSRF-Token its unsafe requests must carry
  std::string provider;    // "demo" or the OIDC provider's id
  bool demo = false;       // a demo login (`nks serve --demo`)
  int64_t created_us = 0;
  int64_t last_used_us = 0;
  int64_t idle_expires_us = 0;
  int64_t absolute_expires_us = 0;
  bool operator==(const Session&) const = default;
};

// The first answer to a write request with an Idempotency-Key, kept so a
// replay gets it again and changes nothing.
struct IdempotencyRecord {
  std::string principal;     // who sent it (keys are per principal)
  std::string key;           // the Idempotency-Key header
  std::string request_hash;  // SHA-256 hex of method, path and body
  int status = 0;            // HTTP status of the first answer
  std::string content_type;
  std::string body;
  int64_t created_us = 0;
};

// One entry of the append-only, hash-chained audit log (issue 4; migration
// 9). Text fields never hold an unmasked CPR number. `hash` is SHA-256 (hex)
// over the canonical encoding of the other fields and `prev_hash`
// (audit/audit.h); the first entry's prev_hash is 64 zeros.
struct AuditEntry {
  int64_t seq = 0;      // 1, 2, 3, ... without gaps
  int64_t at_us = 0;    // UTC microseconds, from the injected clock
  std::string actor;    // principal: "employee:12345678/cw1", "system:KY", "cli", ...
  std::string action;   // "GET /api/v1/nemkonto/{id}/history", "login", "grant", ...
  std::string target;   // what it was about, CPR masked: "cpr:010101-XXXX"
  std::string outcome;  // "committed", "200", "403 forbidden", ...
  std::string prev_hash;
  std::string hash;
  bool operator==(const AuditEntry&) const = default;
};

// Users and role profiles (SPEC §4.3; migration 10). A role profile is a
// named set of functions (access/access.h names them); a grant gives a
// user a role profile within the LOS subtree rooted at `los`.
struct RoleProfile {
  uint32_t authority = 0;
  std::string name;
  std::vector<std::string> functions;  // sorted function names
  bool operator==(const RoleProfile&) const = default;
};

struct RoleGrant {
  std::string role;
  std::string los;  // the root of the subtree
  bool operator==(const RoleGrant&) const = default;
};

struct User {
  uint32_t authority = 0;
  std::string id;  // Principal::user of the employee's certificate
  std::string name;
  // Recorded per user (SPEC §4.3): may create cases in the authority's
  // payment systems, which rules out register reporting rights.
  bool payment_system_cases = false;
  std::vector<RoleGrant> grants;  // sorted
  bool operator==(const User&) const = default;
};

// Four-eyes approval (SPEC §4.3; migration 11): when an authority turns it
// on, a caseworker's register change waits as a pending change until
// another user of the authority approves it.
struct FourEyesSetting {
  uint32_t authority = 0;
  bool enabled = false;
  bool operator==(const FourEyesSetting&) const = default;
};

enum class PendingState : uint8_t { kPending = 1, kApproved = 2, kRejected = 3 };
std::string_view PendingStateName(PendingState s);  // "pending", "approved", "rejected"

struct PendingChange {
  int64_t id = 0;
  uint32_t authority = 0;
  std::string requested_by;  // the user id
  std::string method;        // the request as it will run on approval
  std::string target;
  std::string body;
  int64_t created_us = 0;
  PendingState state = PendingState::kPending;
  std::string decided_by;
  int64_t decided_us = 0;
};

// An OpenID Connect provider humans log in through (`oidc` statement;
// migration 13), e.g. a MitID broker. The client secret itself is never
// stored: secret_file names a file holding it, or secret_env an
// environment variable of `nks serve`.
struct OidcProvider {
  std::string id;         // ?provider= of GET /auth/login; never "demo"
  std::string issuer;     // https://...; discovery at issuer + /.well-known/openid-configuration
  std::string client_id;
  std::string secret_file;
  std::string secret_env;
  std::string redirect_uri;  // this server's https://.../auth/callback, as registered at the provider
  PrincipalKind kind = PrincipalKind::kCitizen;  // kCitizen (and companies by cvr_claim) or kEmployee
  std::string scopes = "openid";  // space separated
  std::string cpr_claim;   // kCitizen: the claim carrying the CPR number
  std::string cvr_claim;   // kCitizen, optional: a token carrying it logs a company user in
  std::string user_claim;  // kEmployee: the claim carrying the user id of a `user` statement
  uint32_t authority = 0;  // kEmployee: the users' authority
  std::string name_claim = "name";
  std::string ca_file;     // PEM bundle trusted for the provider's TLS; empty: the system's
  bool operator==(const OidcProvider&) const = default;
};

}  // namespace nks::store
