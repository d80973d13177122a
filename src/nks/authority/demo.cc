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

}  // namespace nks::authority
