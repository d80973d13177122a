#include "nks/api/handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "nks/api/problem.h"
#include "nks/core/account.h"
#include "nks/core/sha256.h"
#include "nks/core/time.h"

namespace nks::api {


std::string_view MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return t;
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void SendJson(Api::Context& c, int status, const json& body) {
  c.res->status = status;
  c.res->content_type = "application/json";
  c.res->body = body.dump();
}

void Fail(Api::Context& c, std::string_view code, std::string_view detail) {
  SetProblem(c.res, code, detail, c.path);
}

void FailStatus(Api::Context& c, const Status& st) {
  std::string_view code = ProblemCodeFor(st);
  if (code == "internal") {
    fmt::print(stderr, "nks serve: {} {}: {}\n", c.req.method, MaskCprsIn(http::PercentDecode(c.path)),
               MaskCprsIn(st.ToString()));
    return Fail(c, code, "see the server log");
  }
  Fail(c, code, st.message());
}

Result<RecipientId> ParseRecipientText(const std::string& text) {
  if (text.find(':') != std::string::npos) return RecipientId::ParseTagged(text);
  if (text.size() == 10 || (text.size() == 11 && text[6] == '-')) return RecipientId::Parse(IdType::kCpr, text);
  return Status::Invalid(
      "write cpr:DDMMYY-SSSS, cvr:NNNNNNNN, se:NNNNNNNN or p:NNNNNNNNNN (me names only a logged-in citizen or "
      "company)");
}

bool ParseRecipient(Api::Context& c, const std::string& text, RecipientId* out) {
  Result<RecipientId> id = ParseRecipientText(text);
  if (!id.ok()) {
    Fail(c, "invalid-recipient-id", "id: " + id.status().message());
    return false;
  }
  *out = *id;
  return true;
}

bool ParseBody(Api::Context& c, std::initializer_list<std::string_view> required,
               std::initializer_list<std::string_view> optional, json* out) {
  if (!IEquals(MediaType(c.req.content_type), "application/json")) {
    Fail(c, "unsupported-media-type",
         fmt::format("Content-Type: this endpoint takes application/json, not '{}'", c.req.content_type));
    return false;
  }
  try {
    *out = json::parse(c.req.body);
  } catch (const json::parse_error& e) {
    Fail(c, "malformed-json", fmt::format("body: not valid JSON at byte {}", e.byte));
    return false;
  }
  if (!out->is_object()) {
    Fail(c, "malformed-json", "body: must be a JSON object");
    return false;
  }
  for (const auto& [key, value] : out->items()) {
    bool known = std::find(required.begin(), required.end(), key) != required.end() ||
                 std::find(optional.begin(), optional.end(), key) != optional.end();
    if (!known) {
      std::string allowed;
      for (auto k : required) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
      for (auto k : optional) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
      Fail(c, "unknown-field", fmt::format("{}: unknown field (allowed: {})", key.substr(0, 64), allowed));
      return false;
    }
  }
  for (auto k : required) {
    if (!out->contains(k)) {
      Fail(c, "missing-field", fmt::format("{}: required", k));
      return false;
    }
  }
  return true;
}

bool StringField(Api::Context& c, const json& body, const char* key, std::string* out) {
  if (!body.contains(key)) return true;
  if (!body[key].is_string()) {
    Fail(c, "invalid-field", fmt::format("{}: must be a string", key));
    return false;
  }
  *out = body[key].get<std::string>();
  return true;
}

bool NoBody(Api::Context& c) {
  if (c.req.body.empty()) return true;
  Fail(c, "body-too-large", "this request takes no body");
  return false;
}

std::string RequestHash(std::string_view method, std::string_view target, std::string_view body) {
  Sha256 h;
  for (std::string_view part : {method, std::string_view("\n"), target, std::string_view("\n"), body}) h.Update(part);
  return h.HexDigest();
}

bool ValidIdempotencyKey(std::string_view key) {
  return !key.empty() && key.size() <= kIdempotencyKeyBytesMax &&
         std::all_of(key.begin(), key.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
}

std::string TimeText(int64_t us) { return FormatUtc(Instant(std::chrono::microseconds(us))); }

std::string MaskedAccount(const std::string& canonical) {
  if (canonical.empty()) return "";
  auto account = Account::Parse(canonical);
  return account.ok() ? account->Masked() : "?";
}

json PaymentJson(const store::Payment& p) {
  json j;
  j["id"] = p.id;
  j["system"] = MaskCprsIn(p.system);
  j["end_to_end"] = MaskCprsIn(p.end_to_end);
  j["authority"] = p.authority;
  j["los"] = MaskCprsIn(p.los);
  j["benefit"] = MaskCprsIn(p.benefit_type);
  j["payout_date"] = p.payout_date;
  j["amount_ore"] = p.amount_ore;
  j["currency"] = p.currency;
  if (p.recipient != 0) {
    auto id = RecipientId::FromKey(p.recipient);
    j["recipient"] = id.ok() ? id->TaggedMasked() : "?";
  } else {
    j["recipient"] = nullptr;
  }
  j["status"] = std::string(store::PaymentStatusName(p.status));
  j["account"] = MaskedAccount(p.resolved_account.empty() ? p.creditor_account : p.resolved_account);
  const bool failed = p.status == store::PaymentStatus::kFailed && !p.outcome_reason.empty();
  j["why"] = MaskCprsIn(failed ? p.outcome_reason : p.resolution);
  return j;
}



reg::Actor ActorOf(const store::Principal& p, const std::string& reference) {
  reg::Actor a;
  if (p.kind == PrincipalKind::kCitizen || p.kind == PrincipalKind::kCompany) {
    a.channel = store::Channel::kCitizen;  // the recipient themself (a company is refused by the register)
  } else if (p.kind == PrincipalKind::kBank) {
    a.channel = store::Channel::kBank;
    a.id = p.bank;
  } else {
    a.channel = store::Channel::kAuthority;
    a.id = p.user;
    a.authority = p.authority;
    a.reference = reference;
  }
  return a;
}

Result<std::string> QueryValue(std::string_view query, std::string_view key, std::initializer_list<std::string_view> allowed) {
  NKS_ASSIGN_OR_RETURN(auto pairs, ParseQuery(query));
  std::string value;
  for (const auto& [k, v] : pairs) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Status::Invalid(fmt::format("{}: unknown query parameter", k.substr(0, 64)));
    }
    if (k == key) value = v;
  }
  return value;
}


}  // namespace nks::api
