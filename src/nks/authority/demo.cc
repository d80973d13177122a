#include "nks/authority/config.h"

namespace nks::authority {

store::ConfigSnapshot DemoConfig() {
  constexpr uint32_t kDemo = 12'345'678;
  store::ConfigSnapshot c;
  c.authorities.push_back({kDemo, "Demo Kommune", "municipality",
                           store::FailedPaymentPolicy::kReturn, "3001-0009999999",
                           store::LatePaymentRule::kReject});
  c.los_units = {{kDemo, "DK", "Demo Kommune", ""},
                 {kDemo, "DK-BORGER", "Borgerservice", "DK"},
                 {kDemo, "DK-YDELSE", "Ydelsescenter", "DK-BORGER"}};
  c.bank_agreements.push_back({kDemo, "PIA-4711", "DABADKKK", "3001-0001234567"});
  c.benefit_types = {{kDemo, "boligstoette", "Boligstøtte"},
                     {kDemo, "kontanthjaelp", "Kontanthjælp"},
                     {kDemo, "boernetilskud", "Børnetilskud"},
                     {kDemo, "kapitalpension", "Kapitalpension"}};
  c.systems.push_back({"SERVICEPLATFORM", "Serviceplatformens Udbetalingssystem", "", true});
  c.connections.push_back({"SERVICEPLATFORM", kDemo, store::ConnectionState::kActive,
                           "SA09-DEMO-0001", kConnectionFeeOre});
  return c;
}

// Fingerprints of no real certificate: `nks serve` behind a TLS-terminating
// proxy on loopback (--trust-proxy-cert-header) is told these, and the
// benchmark uses the bank's. Real deployments put their certificates' here.
std::vector<store::Principal> DemoPrincipals() {
  auto fingerprint = [](char digit) { return "sha256:" + std::string(64, digit); };
  std::vector<store::Principal> p(3);
  p[0].match = fingerprint('1');
  p[0].kind = store::PrincipalKind::kSystem;
  p[0].system = "SERVICEPLATFORM";
  p[1].match = fingerprint('2');
  p[1].kind = store::PrincipalKind::kBank;
  p[1].bank = "1551";
  p[2].match = fingerprint('3');
  p[2].kind = store::PrincipalKind::kEmployee;
  p[2].authority = 12'345'678;
  p[2].user = "cw1";
  return p;
}

std::vector<store::RoleProfile> DemoRoles() {
  constexpr uint32_t kDemo = 12'345'678;
  return {{kDemo, "caseworker", {"nemkonto-update", "payments-search", "payments-stop", "register-read", "specific-update"}},
          {kDemo, "controller", {"control"}},
          {kDemo, "user-admin", {"register-read", "users-admin"}}};
}

std::vector<store::User> DemoUsers() {
  constexpr uint32_t kDemo = 12'345'678;
  // One employee per portal role, so `make run` can show every page.
  return {{kDemo, "adm1", "Demo Brugeradministrator", false, {{"user-admin", "DK"}}},
          {kDemo, "ctl1", "Demo Kontrollant", false, {{"controller", "DK"}}},
          {kDemo, "cw1", "Demo Sagsbehandler", false, {{"caseworker", "DK"}}}};
}

}  // namespace nks::authority
