// Human login's helpers for the route handlers (api.cc, auth.cc); the
// request context itself is in handler.h. Internal to the api module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nks/access/access.h"
#include "nks/api/api.h"
#include "nks/api/handler.h"
#include "nks/http/server.h"
#include "nks/store/store.h"

namespace nks::api {

// Whom an Idempotency-Key belongs to: the principal id, except for
// citizens, whose masked id is shared by everyone born on the same day.
std::string IdempotencyOwner(const Api::Context& c);

// The nks_session cookie's value in a Cookie header ("" when absent).
std::string SessionToken(std::string_view cookie_header);
// True when the request is to be authenticated by its session cookie: it
// carries one and no client certificate (nor a proxy's certificate header).
bool SessionCookieOnly(const http::Request& req);

}  // namespace nks::api
