// Human login for `nks serve` (issue 4, item 4): server-side sessions behind
// an HttpOnly cookie, CSRF protection of session requests, the demo login.
//
// A session's cookie `nks_session` holds 256 random bits (libsodium),
// base64url; the store keeps only the token's SHA-256, with the principal,
// the CSRF token and the expiries (idle 15 minutes, absolute 8 hours, both
// from the injected Clock). Each use moves the idle expiry on. Every unsafe
// request (POST, PUT, PATCH, DELETE) made with a session carries
// X-CSRF-Token equal to the session's, and an Origin header, if any, names
// this server. Certificate-authenticated requests never look at cookies.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "nks/api/api.h"
#include "nks/api/context.h"
#include "nks/api/problem.h"
#include "nks/api/router.h"
#include "nks/core/file.h"
#include "nks/core/ids.h"
#include "nks/core/sha256.h"

namespace nks::api {

using json = nlohmann::json;
using store::PrincipalKind;

std::string PrincipalId(const store::Principal& p) {
  switch (p.kind) {
    case PrincipalKind::kSystem: return "system:" + p.system;
    case PrincipalKind::kBank: return "bank:" + p.bank;
    case PrincipalKind::kEmployee: return fmt::format("employee:{}/{}", p.authority, p.user);
    case PrincipalKind::kCitizen: {
      auto cpr = Cpr::FromNumber(p.cpr);
      return "citizen:" + (cpr.ok() ? cpr->Masked() : std::string("?"));
    }
    case PrincipalKind::kCompany: return fmt::format("company:{:08}", p.cvr);
  }
  return "?";
}

namespace {

constexpr size_t kTokenBytes = 32;        // 256 bits
constexpr size_t kTokenTextMax = 128;     // a longer cookie value is no token of ours
constexpr int64_t kPurgeEveryUs = int64_t{3600} * 1'000'000;
constexpr int64_t kPendingLoginUs = int64_t{10} * 60 * 1'000'000;   // an OIDC login's time to come back
constexpr size_t kPendingLoginsMax = 10'000;
constexpr int64_t kProviderCacheUs = int64_t{3600} * 1'000'000;    // discovery and JWKS kept this long
constexpr const char* kLoginCookie = "nks_login";                  // binds a callback to the browser that began it
constexpr size_t kReturnToBytesMax = 1000;

// kTokenBytes random bytes, base64url without padding (43 characters).
std::string RandomToken() {
  static const int init = sodium_init();
  NKS_CHECK(init >= 0);
  unsigned char bytes[kTokenBytes];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  return text;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char ch) { return static_cast<char>(std::tolower(static_cast<unsigned char>(ch))); });
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool Unsafe(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

int64_t NowUs(const Clock& clock) { return clock.Now().time_since_epoch().count(); }

// The Set-Cookie header: the session's token, or (empty) one that clears it.
std::string SessionCookie(const std::string& token, bool secure) {
  std::string v = fmt::format("{}={}; Path=/; HttpOnly; SameSite=Lax", kSessionCookie, token);
  if (secure) v += "; Secure";
  if (token.empty()) v += "; Max-Age=0";
  return v;
}

// The session document of GET /auth/session, POST /auth/demo and the OIDC callback.
json SessionJson(const store::Session& s) {
  return json{{"kind", std::string(store::PrincipalKindName(s.principal.kind))},
              {"principal", PrincipalId(s.principal)},
              {"name", s.name},
              {"csrf_token", s.csrf_token},
              {"expires_at", TimeText(std::min(s.idle_expires_us, s.absolute_expires_us))},
              {"absolute_expires_at", TimeText(s.absolute_expires_us)},
              {"provider", s.provider},
              {"demo", s.demo}};
}

}  // namespace

// The value of the request's nks_session cookie ("" when none).
std::string SessionToken(std::string_view cookie_header) {
  while (!cookie_header.empty()) {
    const size_t end = std::min(cookie_header.find(';'), cookie_header.size());
    std::string_view pair = Trim(cookie_header.substr(0, end));
    cookie_header.remove_prefix(std::min(end + 1, cookie_header.size()));
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != kSessionCookie) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return "";
}

bool SessionCookieOnly(const http::Request& req) {
  const bool certificate =
      (req.peer != nullptr && req.peer->tls && req.peer->presented_certificate) || !req.proxy_cert_fingerprint.empty();
  return !certificate && !SessionToken(req.cookie).empty();
}

std::string IdempotencyOwner(const Api::Context& c) {
  if (c.principal != nullptr && c.principal->kind == PrincipalKind::kCitizen) {
    return "citizen-sha256:" + Sha256Hex(std::to_string(c.principal->cpr));
  }
  return c.principal_id;
}

bool Api::AuthenticateSession(Context& c) {
  const std::string token = SessionToken(c.req.cookie);
  if (token.empty()) {
    Fail(c, "session-required", "no nks_session cookie: log in first");
    return false;
  }
  auto clear_cookie = [&] { c.res->headers.emplace_back("Set-Cookie", SessionCookie("", options_.tls)); };
  if (token.size() > kTokenTextMax) {
    Fail(c, "session-unknown", "nks_session: not a session token of this server");
    clear_cookie();
    return false;
  }
  const std::string hash = Sha256Hex(token);
  const int64_t now = NowUs(*clock_);
  Result<std::optional<store::Session>> found = Status::Internal("not run");
  {
    std::lock_guard store_lock(store_mu_);
    found = store_->GetSession(hash);
    if (found.ok() && *found && now < std::min((*found)->idle_expires_us, (*found)->absolute_expires_us) &&
        now > (*found)->last_used_us) {
      (*found)->last_used_us = now;
      (*found)->idle_expires_us = now + kSessionIdleUs;
      Status st = store_->TouchSession(hash, now, now + kSessionIdleUs);
      if (!st.ok()) found = st;
    }
  }
  if (!found.ok()) {
    FailStatus(c, found.status());
    return false;
  }
  if (!*found) {
    Fail(c, "session-unknown", "nks_session: no such session (logged out, or never issued here)");
    clear_cookie();
    return false;
  }
  const store::Session& s = **found;
  if (s.demo && !options_.demo) {
    Fail(c, "session-unknown", "nks_session: a demo login's session, and the demo login is off now");
    clear_cookie();
    return false;
  }
  if (now >= std::min(s.idle_expires_us, s.absolute_expires_us)) {
    Fail(c, "session-expired",
         s.absolute_expires_us <= s.idle_expires_us
             ? fmt::format("the session ended at {}, 8 hours after login; log in again", TimeText(s.absolute_expires_us))
             : fmt::format("the session ended at {}, 15 minutes after its last use; log in again",
                           TimeText(s.idle_expires_us)));
    clear_cookie();
    return false;
  }
  c.session = s;
  c.principal_value = s.principal;
  return true;
}

bool Api::CheckOrigin(Context& c) {
  if (c.req.origin.empty()) return true;
  const std::string origin = Lower(c.req.origin);
  std::string own;
  if (!options_.origins.empty()) {
    for (const auto& o : options_.origins) {
      if (Lower(o) == origin) return true;
      own += (own.empty() ? "" : ", ") + o;
    }
  } else {
    own = (options_.tls ? "https://" : "http://") + Lower(c.req.host);
    if (!c.req.host.empty() && origin == own) return true;
  }
  Fail(c, "origin-mismatch",
       fmt::format("Origin: {} is not this server's origin ({})", c.req.origin.substr(0, 200), own.substr(0, 400)));
  return false;
}

bool Api::CheckSessionRequest(Context& c) {
  if (Unsafe(c.req.method)) {
    if (!CheckOrigin(c)) return false;
    if (c.req.csrf_token.empty()) {
      Fail(c, "csrf-token-missing", "X-CSRF-Token: required on a session's " + c.req.method +
                                        " (the csrf_token of GET /auth/session)");
      return false;
    }
    if (!ConstantTimeEquals(c.req.csrf_token, c.session.csrf_token)) {
      Fail(c, "csrf-token-mismatch", "X-CSRF-Token: not this session's token");
      return false;
    }
  }
  // Citizens and companies reach the register's routes for their own id only.
  const auto kind = c.principal_value.kind;
  if ((kind == PrincipalKind::kCitizen || kind == PrincipalKind::kCompany) && !c.params.empty() &&
      c.path.rfind("/api/v1/nemkonto/", 0) == 0) {
    Result<RecipientId> id = ParseRecipientText(c.params[0]);
    if (!id.ok()) return true;  // the handler names what is wrong with it
    const bool own = kind == PrincipalKind::kCitizen
                         ? id->type() == IdType::kCpr && id->number() == c.principal_value.cpr
                         : id->type() == IdType::kCvr && id->number() == c.principal_value.cvr;
    if (!own) {
      Fail(c, "forbidden", fmt::format("{} may see and change only their own NemKonto, not {}", c.principal_id,
                                       id->TaggedMasked()));
      return false;
    }
  }
  return true;
}

void Api::AuditLoginAttempt(Context& c, const std::string& who, const std::string& provider) {
  std::string outcome = c.res->status < 400 ? "ok" : std::to_string(c.res->status) + " " + c.res->problem;
  const std::string actor = who.empty() ? "anonymous:" + c.req.remote : who;
  const std::string target = (provider == "demo" ? "demo" : "oidc:" + provider) + " from " + c.req.remote;
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    st = audit_->Append(actor, "login", target, outcome);
  }
  c.audit_done = true;
  if (!st.ok()) {
    c.res->headers.clear();
    FailStatus(c, st.WithContext("audit log"));
  }
}

void Api::StartSession(Context& c, const store::Principal& p, const std::string& name, const std::string& provider,
                       bool demo, const std::string& redirect_to) {
  const int64_t now = NowUs(*clock_);
  const std::string token = RandomToken();
  store::Session s;
  s.token_hash = Sha256Hex(token);
  s.principal = p;
  s.principal.match.clear();
  s.name = name;
  s.csrf_token = RandomToken();
  s.provider = provider;
  s.demo = demo;
  s.created_us = s.last_used_us = now;
  s.idle_expires_us = now + kSessionIdleUs;
  s.absolute_expires_us = now + kSessionAbsoluteUs;
  const std::string id = PrincipalId(p);
  const std::string old = SessionToken(c.req.cookie);
  Status st;
  {
    // The session and its login entry commit together; a login replaces
    // the browser's previous session.
    std::lock_guard store_lock(store_mu_);
    st = store_->Transact([&]() -> Status {
      if (!old.empty() && old.size() <= kTokenTextMax) NKS_RETURN_IF_ERROR(store_->DeleteSession(Sha256Hex(old)));
      NKS_RETURN_IF_ERROR(store_->AddSession(s));
      return audit_->Append(id, "login", (demo ? std::string("demo") : "oidc:" + provider) + " from " + c.req.remote,
                            "ok");
    });
  }
  c.audit_done = true;
  if (!st.ok()) return FailStatus(c, st);
  c.session = s;
  c.principal_value = s.principal;
  c.principal_id = id;
  c.res->principal = id;
  c.res->headers.emplace_back("Set-Cookie", SessionCookie(token, options_.tls));
  c.res->headers.emplace_back("Cache-Control", "no-store");
  if (redirect_to.empty()) return SendJson(c, 200, SessionJson(s));
  c.res->status = 302;
  c.res->headers.emplace_back("Location", redirect_to);
  SendJson(c, 302, json{{"location", redirect_to}});
}

void Api::PurgeSessions() {
  const int64_t now = NowUs(*clock_);
  if (now - sessions_purged_us_ < kPurgeEveryUs) return;
  auto n = store_->DeleteSessionsExpiredBefore(now - kSessionKeepExpiredUs);
  if (!n.ok()) {
    fmt::print(stderr, "nks serve: purging expired sessions: {}\n", n.status().ToString());
    return;
  }
  sessions_purged_us_ = now;
}

// ---- Routes ----

void Api::GetAuthSession(Context& c) {
  if (!AuthenticateSession(c)) return;
  c.principal_id = PrincipalId(c.principal_value);
  c.res->principal = c.principal_id;
  c.res->headers.emplace_back("Cache-Control", "no-store");
  SendJson(c, 200, SessionJson(c.session));
}

void Api::PostLogout(Context& c) {
  if (!AuthenticateSession(c)) return;
  c.by_session = true;
  c.principal_id = PrincipalId(c.principal_value);
  c.res->principal = c.principal_id;
  if (!CheckSessionRequest(c)) return;
  Status st;
  {
    std::lock_guard store_lock(store_mu_);
    st = store_->Transact([&]() -> Status {
      NKS_RETURN_IF_ERROR(store_->DeleteSession(c.session.token_hash));
      return audit_->Append(c.principal_id, "logout", c.session.demo ? "demo" : "oidc:" + c.session.provider, "ok");
    });
  }
  c.audit_done = true;
  if (!st.ok()) return FailStatus(c, st);
  c.res->status = 204;
  c.res->body.clear();
  c.res->headers.emplace_back("Set-Cookie", SessionCookie("", options_.tls));
}

void Api::PostDemoLogin(Context& c) {
  if (!options_.demo) {
    return Fail(c, "not-found", "no route for /auth/demo: the demo login is off (nks serve --demo)");
  }
  std::string who;
  auto refuse = [&](std::string_view code, const std::string& detail) {
    Fail(c, code, detail);
    AuditLoginAttempt(c, who, "demo");
  };
  if (!CheckOrigin(c)) return AuditLoginAttempt(c, who, "demo");
  std::string_view media = c.req.content_type;
  media = Trim(media.substr(0, media.find(';')));
  if (Lower(media) != "application/json") {
    return refuse("unsupported-media-type",
                  fmt::format("Content-Type: this endpoint takes application/json, not '{}'", c.req.content_type));
  }
  json body;
  try {
    body = json::parse(c.req.body);
  } catch (const json::parse_error& e) {
    return refuse("malformed-json", fmt::format("body: not valid JSON at byte {}", e.byte));
  }
  if (!body.is_object()) return refuse("malformed-json", "body: must be a JSON object");
  if (!body.contains("role") || !body["role"].is_string()) {
    return refuse("missing-field", "role: required: citizen, company or employee");
  }
  const std::string role = body["role"].get<std::string>();
  std::vector<std::string> fields;
  if (role == "citizen") fields = {"role", "cpr"};
  else if (role == "company") fields = {"role", "cvr"};
  else if (role == "employee") fields = {"role", "authority", "user"};
  else return refuse("invalid-field", "role: must be citizen, company or employee");
  for (const auto& [key, value] : body.items()) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      return refuse("unknown-field", fmt::format("{}: unknown field for role {}", key.substr(0, 64), role));
    }
  }
  for (const auto& f : fields) {
    if (!body.contains(f)) return refuse("missing-field", fmt::format("{}: required for role {}", f, role));
  }
  store::Principal p;
  std::string name;
  if (role == "citizen") {
    if (!body["cpr"].is_string()) return refuse("invalid-field", "cpr: must be a string DDMMYYSSSS");
    auto cpr = Cpr::Parse(body["cpr"].get<std::string>());
    if (!cpr.ok()) return refuse("invalid-field", "cpr: " + cpr.status().message());
    p.kind = PrincipalKind::kCitizen;
    p.cpr = cpr->number();
    who = PrincipalId(p);
    Result<std::optional<store::Person>> person = Status::Internal("not run");
    {
      std::lock_guard store_lock(store_mu_);
      person = store_->GetPerson(p.cpr);
    }
    if (!person.ok()) return FailStatus(c, person.status());
    if (*person) name = (*person)->name;
  } else if (role == "company") {
    if (!body["cvr"].is_string()) return refuse("invalid-field", "cvr: must be a string of 8 digits");
    auto cvr = Cvr::Parse(body["cvr"].get<std::string>());
    if (!cvr.ok()) return refuse("invalid-field", "cvr: " + cvr.status().message());
    p.kind = PrincipalKind::kCompany;
    p.cvr = cvr->number();
    who = PrincipalId(p);
    Result<std::optional<store::Company>> company = Status::Internal("not run");
    {
      std::lock_guard store_lock(store_mu_);
      company = store_->GetCompany(p.cvr);
    }
    if (!company.ok()) return FailStatus(c, company.status());
    if (*company) name = (*company)->name;
  } else {
    if (!body["authority"].is_number_unsigned() || body["authority"].get<uint64_t>() > 99'999'999) {
      return refuse("invalid-field", "authority: must be the NKS agreement number");
    }
    if (!body["user"].is_string() || body["user"].get<std::string>().empty()) {
      return refuse("invalid-field", "user: must be a user id");
    }
    p.kind = PrincipalKind::kEmployee;
    p.authority = static_cast<uint32_t>(body["authority"].get<uint64_t>());
    p.user = body["user"].get<std::string>().substr(0, 100);
    who = PrincipalId(p);
    bool known = false;
    {
      std::shared_lock lock(index_mu_);
      for (const auto& u : users_) {
        if (u.authority == p.authority && u.id == p.user) {
          known = true;
          name = u.name;
        }
      }
    }
    if (!known) {
      return refuse("forbidden", fmt::format("user {} of authority {} is not a configured user (user statement)",
                                             MaskCprsIn(p.user), p.authority));
    }
  }
  StartSession(c, p, name, "demo", true);
}

// ---- OpenID Connect ----

namespace {

// A local path to send the browser back to: "/..." but not "//host" or
// "/\\host" (which browsers read as another site), no scheme, no controls.
bool LocalPath(std::string_view p) {
  if (p.empty() || p.size() > kReturnToBytesMax || p[0] != '/') return false;
  if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
  return std::all_of(p.begin(), p.end(), [](char ch) {
    return static_cast<unsigned char>(ch) > 0x20 && ch != 0x7f && ch != '\\';
  });
}

std::string LoginCookie(const std::string& state, bool secure) {
  std::string v = fmt::format("{}={}; Path=/auth/callback; HttpOnly; SameSite=Lax; Max-Age={}", kLoginCookie,
                              state, state.empty() ? 0 : kPendingLoginUs / 1'000'000);
  if (secure) v += "; Secure";
  return v;
}

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = std::min(header.find(';'), header.size());
    std::string_view pair = Trim(header.substr(0, end));
    header.remove_prefix(std::min(end + 1, header.size()));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) return std::string(Trim(pair.substr(eq + 1)));
  }
  return "";
}

// The client secret from its file or environment variable (never logged).
Result<std::string> ClientSecret(const store::OidcProvider& p) {
  std::string secret;
  if (!p.secret_file.empty()) {
    auto text = ReadSmallFile(p.secret_file, 64 * 1024);
    if (!text.ok()) return Status::Internal(fmt::format("oidc {}: secret_file {}: cannot be read", p.id, p.secret_file));
    secret = *text;
  } else {
    const char* v = std::getenv(p.secret_env.c_str());
    if (v == nullptr) return Status::Internal(fmt::format("oidc {}: secret_env {} is not set", p.id, p.secret_env));
    secret = v;
  }
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.empty()) return Status::Internal(fmt::format("oidc {}: the client secret is empty", p.id));
  return secret;
}

}  // namespace

// Discovery and JWKS of `p`, fetched when not cached (or `refetch_jwks`:
// a token named a key the cached JWKS lacks). No lock is held while fetching.
static Result<Api::OidcState::Provider> ProviderInfo(Api::OidcState& state, const store::OidcProvider& p,
                                                     int64_t now, bool refetch_jwks) {
  {
    std::lock_guard lock(state.mu);
    auto it = state.providers.find(p.id);
    if (it != state.providers.end() && it->second.issuer == p.issuer && now - it->second.fetched_us < kProviderCacheUs &&
        !refetch_jwks) {
      return it->second;
    }
  }
  Api::OidcState::Provider info;
  info.issuer = p.issuer;
  std::string issuer = p.issuer;
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  NKS_ASSIGN_OR_RETURN(std::string doc, oidc::HttpsGet(issuer + "/.well-known/openid-configuration", p.ca_file));
  NKS_ASSIGN_OR_RETURN(info.discovery, oidc::ParseDiscovery(doc, p.issuer));
  NKS_ASSIGN_OR_RETURN(std::string keys, oidc::HttpsGet(info.discovery.jwks_uri, p.ca_file));
  NKS_ASSIGN_OR_RETURN(oidc::Jwks jwks, oidc::Jwks::Parse(keys));
  info.jwks = std::make_shared<const oidc::Jwks>(std::move(jwks));
  info.fetched_us = now;
  std::lock_guard lock(state.mu);
  state.providers[p.id] = info;
  return info;
}

void Api::GetAuthLogin(Context& c) {
  std::string provider_id;
  auto fail = [&](std::string_view code, const std::string& detail) {
    Fail(c, code, detail);
    AuditLoginAttempt(c, "", provider_id.empty() ? "?" : provider_id);
  };
  auto pairs = ParseQuery(c.query);
  if (!pairs.ok()) return fail("invalid-query", pairs.status().message());
  std::string return_to = "/";
  for (const auto& [k, v] : *pairs) {
    if (k == "provider") provider_id = v.substr(0, 100);
    else if (k == "return_to") return_to = v;
    else return fail("invalid-query", fmt::format("{}: unknown query parameter (provider, return_to)", k.substr(0, 64)));
  }
  if (provider_id.empty()) return fail("invalid-query", "provider: required (the id of an oidc statement)");
  if (!LocalPath(return_to)) {
    return fail("invalid-query", "return_to: must be a path on this server (/...), not another site");
  }
  std::optional<store::OidcProvider> provider;
  {
    std::shared_lock lock(index_mu_);
    for (const auto& p : oidc_providers_) {
      if (p.id == provider_id) provider = p;
    }
  }
  if (!provider) return fail("invalid-query", fmt::format("provider: no oidc provider '{}' is configured", provider_id));
  const int64_t now = NowUs(*clock_);
  auto info = ProviderInfo(*oidc_, *provider, now, false);
  if (!info.ok()) {
    fmt::print(stderr, "nks serve: oidc {}: {}\n", provider->id, info.status().message());
    return fail("unavailable", fmt::format("the login provider '{}' cannot be reached: {}", provider->id,
                                           info.status().message()));
  }
  OidcState::Pending pending{provider->id, RandomToken(), RandomToken(), return_to, now + kPendingLoginUs};
  const std::string state = RandomToken();
  {
    std::lock_guard lock(oidc_->mu);
    for (auto it = oidc_->pending.begin(); it != oidc_->pending.end();) {
      it = it->second.expires_us <= now ? oidc_->pending.erase(it) : std::next(it);
    }
    if (oidc_->pending.size() >= kPendingLoginsMax) {
      return fail("unavailable", "too many logins in progress; try again in a few minutes");
    }
    oidc_->pending[state] = pending;
  }
  const std::string& endpoint = info->discovery.authorization_endpoint;
  std::string location = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&");
  location += "response_type=code&client_id=" + oidc::FormEncode(provider->client_id) +
              "&redirect_uri=" + oidc::FormEncode(provider->redirect_uri) + "&scope=" + oidc::FormEncode(provider->scopes) +
              "&state=" + state + "&nonce=" + pending.nonce + "&code_challenge=" + oidc::PkceChallenge(pending.verifier) +
              "&code_challenge_method=S256";
  c.res->headers.emplace_back("Set-Cookie", LoginCookie(state, options_.tls));
  c.res->headers.emplace_back("Cache-Control", "no-store");
  c.res->headers.emplace_back("Location", location);
  SendJson(c, 302, json{{"location", location}});
}

void Api::GetAuthCallback(Context& c) {
  std::string provider_id = "?", who;
  auto fail = [&](std::string_view code, const std::string& detail) {
    Fail(c, code, detail);
    c.res->headers.emplace_back("Set-Cookie", LoginCookie("", options_.tls));
    AuditLoginAttempt(c, who, provider_id);
  };
  auto pairs = ParseQuery(c.query);
  if (!pairs.ok()) return fail("invalid-query", pairs.status().message());
  std::string code, state, error, error_description, iss;
  for (const auto& [k, v] : *pairs) {
    if (k == "code") code = v;
    else if (k == "state") state = v;
    else if (k == "error") error = v.substr(0, 100);
    else if (k == "error_description") error_description = v.substr(0, 300);
    else if (k == "iss") iss = v;
  }
  if (state.empty()) return fail("invalid-query", "state: required");
  OidcState::Pending pending;
  const int64_t now = NowUs(*clock_);
  {
    std::lock_guard lock(oidc_->mu);
    auto it = oidc_->pending.find(state);
    if (it == oidc_->pending.end()) {
      return fail("login-failed", "state: no login in progress with this state (each is good for one callback)");
    }
    pending = it->second;
    oidc_->pending.erase(it);  // one use, whatever happens next
  }
  provider_id = pending.provider;
  if (now >= pending.expires_us) return fail("login-failed", "the login took longer than 10 minutes; start again");
  if (!ConstantTimeEquals(CookieValue(c.req.cookie, kLoginCookie), state)) {
    return fail("login-failed", "nks_login: this callback does not belong to a login begun in this browser");
  }
  std::optional<store::OidcProvider> provider;
  {
    std::shared_lock lock(index_mu_);
    for (const auto& p : oidc_providers_) {
      if (p.id == pending.provider) provider = p;
    }
  }
  if (!provider) return fail("login-failed", fmt::format("provider {} is no longer configured", pending.provider));
  if (!error.empty()) {
    return fail("login-failed", fmt::format("the provider refused the login: {}{}", MaskCprsIn(error),
                                            error_description.empty() ? "" : " (" + MaskCprsIn(error_description) + ")"));
  }
  if (code.empty()) return fail("invalid-query", "code: required");
  if (!iss.empty() && iss != provider->issuer) {
    return fail("login-failed", "iss: the callback comes from another issuer than the login went to");
  }
  auto secret = ClientSecret(*provider);
  if (!secret.ok()) {
    fmt::print(stderr, "nks serve: {}\n", secret.status().message());
    return fail("internal", "the login provider's client secret is missing; see the server log");
  }
  auto info = ProviderInfo(*oidc_, *provider, now, false);
  if (!info.ok()) {
    fmt::print(stderr, "nks serve: oidc {}: {}\n", provider->id, info.status().message());
    return fail("unavailable", fmt::format("the login provider '{}' cannot be reached", provider->id));
  }
  int status = 0;
  auto answer = oidc::HttpsPostForm(info->discovery.token_endpoint,
                                    {{"grant_type", "authorization_code"}, {"code", code},
                                     {"redirect_uri", provider->redirect_uri}, {"code_verifier", pending.verifier}},
                                    provider->client_id, *secret, provider->ca_file, &status);
  if (!answer.ok()) return fail("login-failed", "token endpoint: " + answer.status().message());
  json tokens = json::parse(*answer, nullptr, false);
  if (status != 200 || !tokens.is_object()) {
    const std::string why = tokens.is_object() && tokens.contains("error") && tokens["error"].is_string()
                                ? tokens["error"].get<std::string>().substr(0, 100)
                                : "no JSON answer";
    return fail("login-failed", fmt::format("token endpoint: HTTP {}: {}", status, MaskCprsIn(why)));
  }
  if (!tokens.contains("id_token") || !tokens["id_token"].is_string()) {
    return fail("login-failed", "token endpoint: the answer has no id_token");
  }
  const std::string id_token = tokens["id_token"].get<std::string>();
  auto header = oidc::PeekHeader(id_token);
  if (!header.ok()) return fail("login-failed", header.status().message());
  if (!header->first.empty() && !info->jwks->Has(header->first)) {
    auto fresh = ProviderInfo(*oidc_, *provider, now, true);  // the provider may have rotated its keys
    if (!fresh.ok()) return fail("login-failed", "JWKS: " + fresh.status().message());
    info = std::move(fresh);
  }
  auto claims = oidc::VerifyIdToken(id_token, *info->jwks,
                                    {provider->issuer, provider->client_id, pending.nonce, now / 1'000'000});
  if (!claims.ok()) return fail("login-failed", claims.status().message());
  // Who logged in.
  store::Principal p;
  std::string name = oidc::ClaimText(*claims, provider->name_claim);
  if (provider->kind == PrincipalKind::kEmployee) {
    p.kind = PrincipalKind::kEmployee;
    p.authority = provider->authority;
    p.user = oidc::ClaimText(*claims, provider->user_claim).substr(0, 100);
    if (p.user.empty()) return fail("login-failed", fmt::format("id token: no {} claim (the user id)", provider->user_claim));
    who = PrincipalId(p);
    bool known = false;
    {
      std::shared_lock lock(index_mu_);
      for (const auto& u : users_) {
        if (u.authority == p.authority && u.id == p.user) {
          known = true;
          if (name.empty()) name = u.name;
        }
      }
    }
    if (!known) {
      return fail("forbidden", fmt::format("user {} of authority {} is not a configured user (user statement)",
                                           MaskCprsIn(p.user), p.authority));
    }
  } else {
    const std::string cvr_text = provider->cvr_claim.empty() ? "" : oidc::ClaimText(*claims, provider->cvr_claim);
    if (!cvr_text.empty()) {
      auto cvr = Cvr::Parse(cvr_text);
      if (!cvr.ok()) return fail("login-failed", fmt::format("id token: {}: {}", provider->cvr_claim, cvr.status().message()));
      p.kind = PrincipalKind::kCompany;
      p.cvr = cvr->number();
    } else {
      auto cpr = Cpr::Parse(oidc::ClaimText(*claims, provider->cpr_claim));
      if (!cpr.ok()) {
        return fail("login-failed", fmt::format("id token: {}: {}", provider->cpr_claim, cpr.status().message()));
      }
      p.kind = PrincipalKind::kCitizen;
      p.cpr = cpr->number();
    }
    who = PrincipalId(p);
  }
  c.res->headers.emplace_back("Set-Cookie", LoginCookie("", options_.tls));
  StartSession(c, p, name.substr(0, 200), provider->id, false, pending.return_to);
}

}  // namespace nks::api
