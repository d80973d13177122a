#include "nks/api/problem.h"

#include <algorithm>

#include "nks/core/ids.h"
#include "nks/http/access_log.h"

namespace nks::api {

const std::vector<ProblemType>& ProblemCatalogue() {
  static const std::vector<ProblemType> kCatalogue = {
      {"malformed-http", 400, "The request is not valid HTTP/1.1.", "Forespørgslen er ikke gyldig HTTP/1.1."},
      {"malformed-json", 400, "The request body is not valid JSON.", "Forespørgslens indhold er ikke gyldig JSON."},
      {"unknown-field", 400, "The request body has a field this endpoint does not know.",
       "Forespørgslens indhold har et felt, som dette endpoint ikke kender."},
      {"missing-field", 400, "A required field is missing.", "Et påkrævet felt mangler."},
      {"invalid-field", 400, "A field has a value that is not allowed.", "Et felt har en værdi, der ikke er tilladt."},
      {"invalid-recipient-id", 400, "The recipient id is not a valid CPR, CVR, SE or P-number.",
       "Modtager-id'et er ikke et gyldigt CPR-, CVR-, SE- eller P-nummer."},
      {"invalid-query", 400, "A query parameter is not valid.", "En forespørgselsparameter er ikke gyldig."},
      {"invalid-request", 400, "The request breaks a rule of the register or payment engine.",
       "Forespørgslen bryder en regel i registret eller betalingsmotoren."},
      {"idempotency-key-invalid", 400, "The Idempotency-Key header must be 1-255 visible ASCII characters.",
       "Idempotency-Key skal være 1-255 synlige ASCII-tegn."},
      {"client-certificate-required", 401, "A client certificate is required.", "Et klientcertifikat er påkrævet."},
      {"client-certificate-untrusted", 401, "The client certificate is not issued by a trusted authority.",
       "Klientcertifikatet er ikke udstedt af en betroet udsteder."},
      {"unknown-client", 403, "The client certificate is not registered for any principal.",
       "Klientcertifikatet er ikke registreret for nogen bruger eller system."},
      {"forbidden", 403, "You may not do this.", "Du har ikke adgang til dette."},
      {"function-not-granted", 403, "No role profile of yours grants this function.",
       "Ingen af dine rolleprofiler giver adgang til denne funktion."},
      {"outside-los-scope", 403, "This lies outside the LOS units your role profiles cover.",
       "Dette ligger uden for de LOS-enheder, dine rolleprofiler dækker."},
      {"segregation-of-duties", 403, "Your rights break the segregation of duties; ask your user administrator.",
       "Dine rettigheder bryder funktionsadskillelsen; kontakt din brugeradministrator."},
      {"not-found", 404, "There is no such resource.", "Ressourcen findes ikke."},
      {"method-not-allowed", 405, "This method is not allowed on this resource.",
       "Denne metode er ikke tilladt på ressourcen."},
      {"conflict", 409, "The current state does not allow this.", "Den nuværende tilstand tillader ikke dette."},
      {"already-exists", 409, "It exists already.", "Det findes allerede."},
      {"body-too-large", 413, "The request body is too large.", "Forespørgslens indhold er for stort."},
      {"unsupported-media-type", 415, "The request body has a content type this endpoint does not take.",
       "Forespørgslens indhold har en indholdstype, som dette endpoint ikke modtager."},
      {"invalid-configuration", 422, "The change breaks a rule of the authority's configuration.",
       "Ændringen bryder en regel i myndighedens opsætning."},
      {"idempotency-key-reused", 422, "The Idempotency-Key was used before with a different request.",
       "Idempotency-Key er brugt før til en anden forespørgsel."},
      {"header-too-large", 431, "The request header is too large.", "Forespørgslens header er for stor."},
      {"too-many-headers", 431, "The request has too many header fields.", "Forespørgslen har for mange headerfelter."},
      {"internal", 500, "Something went wrong in NemKonto. It has been logged.",
       "Der opstod en fejl i NemKonto. Den er logget."},
      {"unavailable", 503, "NemKonto is not ready or is shutting down; try again.",
       "NemKonto er ikke klar eller lukker ned; prøv igen."},
  };
  return kCatalogue;
}

const ProblemType& Problem(std::string_view code) {
  const auto& c = ProblemCatalogue();
  auto it = std::find_if(c.begin(), c.end(), [&](const ProblemType& p) { return p.code == code; });
  NKS_CHECK(it != c.end());
  return *it;
}

std::string ProblemJson(std::string_view code, std::string_view detail, std::string_view instance) {
  const ProblemType& p = Problem(code);
  std::string out = "{\"type\":";
  http::AppendJsonString(&out, std::string("https://nemkonto.dk/problems/") + std::string(code));
  out += ",\"title\":";
  http::AppendJsonString(&out, p.message_en);
  out += ",\"status\":" + std::to_string(p.status) + ",\"code\":";
  http::AppendJsonString(&out, code);
  out += ",\"detail\":";
  http::AppendJsonString(&out, MaskCprsIn(detail));
  out += ",\"message\":{\"da\":";
  http::AppendJsonString(&out, p.message_da);
  out += ",\"en\":";
  http::AppendJsonString(&out, p.message_en);
  out += "}";
  if (!instance.empty()) {
    out += ",\"instance\":";
    http::AppendJsonString(&out, MaskCprsIn(http::PercentDecode(instance)));
  }
  return out + "}";
}

void SetProblem(http::Response* response, std::string_view code, std::string_view detail,
                std::string_view instance) {
  response->status = Problem(code).status;
  response->content_type = "application/problem+json";
  response->body = ProblemJson(code, detail, instance);
  response->problem = std::string(code);
}

std::string_view ProblemCodeFor(const Status& status) {
  switch (status.code()) {
    case Code::kOk: return "internal";  // not a problem: a caller bug
    case Code::kInvalidArgument: return "invalid-request";
    case Code::kNotFound: return "not-found";
    case Code::kAlreadyExists: return "already-exists";
    case Code::kFailedPrecondition: return "conflict";
    case Code::kPermissionDenied: return "forbidden";
    case Code::kCorruption:
    case Code::kIoError:
    case Code::kUnavailable:  // a reader's internal signal, never a request's fault
    case Code::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace nks::api
