// The portal's static serving: files, the SPA fallback, ETags, gzip, the
// security headers, the split between portal and API, and that the
// compiled-in build is whole (every file index.html and dkfds.css name is
// there).
#include "nks/web/portal.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace nks::web {
namespace {

std::string Header(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

http::Response Get(const Portal& p, std::string path, std::string accept_encoding = "", std::string if_none_match = "") {
  http::Request req;
  req.method = "GET";
  req.target = path;
  req.accept_encoding = accept_encoding;
  req.if_none_match = if_none_match;
  http::Response res;
  p.Serve(req, path.substr(0, path.find('?')), &res);
  return res;
}

const std::vector<Asset>& TestAssets() {
  static const std::vector<Asset> kAssets = {
      {"/index.html", "<html>index</html>", "GZINDEX", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"},
      {"/assets/app.js", "console.log(1)", "", "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"},
  };
  return kAssets;
}

TEST(Portal, ContentTypesByExtension) {
  EXPECT_EQ(ContentTypeFor("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/dkfds.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/assets/fonts/x.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("/assets/icons/x.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("/x.unknown"), "application/octet-stream");
}

TEST(Portal, ServesFilesAndTheAppForItsPaths) {
  Portal p(TestAssets());
  auto js = Get(p, "/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  for (std::string path : {"/", "/borger", "/sagsbehandler/betalinger?x=1", "/administrator/brugere"}) {
    auto r = Get(p, path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, "<html>index</html>") << path;
  }
  EXPECT_EQ(Get(p, "/assets/missing.js").status, 404);  // a file name that is not there is no app path
  EXPECT_EQ(Get(p, "/assets/../index.html").status, 404);
}

TEST(Portal, EveryAnswerCarriesTheSecurityHeaders) {
  Portal p(TestAssets());
  for (std::string path : {"/", "/assets/app.js", "/nothing.css"}) {
    auto r = Get(p, path);
    std::string csp = Header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY") << path;
  }
}

TEST(Portal, EtagAnswers304) {
  Portal p(TestAssets());
  auto first = Get(p, "/assets/app.js");
  std::string etag = Header(first, "ETag");
  EXPECT_EQ(etag, "\"ffeeddccbbaa99887766554433221100\"");
  EXPECT_EQ(Header(first, "Cache-Control"), "no-cache");
  auto again = Get(p, "/assets/app.js", "", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get(p, "/assets/app.js", "", "\"other\", " + etag).status, 304);
  EXPECT_EQ(Get(p, "/assets/app.js", "", "\"other\"").status, 200);
}

TEST(Portal, GzipOnlyWhenAcceptedAndPresent) {
  Portal p(TestAssets());
  auto gz = Get(p, "/", "br, gzip, deflate");
  EXPECT_EQ(gz.body, "GZINDEX");
  EXPECT_EQ(Header(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(Header(gz, "Vary"), "Accept-Encoding");
  auto plain = Get(p, "/", "");
  EXPECT_EQ(plain.body, "<html>index</html>");
  EXPECT_EQ(Header(plain, "Content-Encoding"), "");
  EXPECT_EQ(Get(p, "/", "gzip;q=0").body, "<html>index</html>");
  EXPECT_EQ(Get(p, "/", "gzip;q=0.5").body, "GZINDEX");
  EXPECT_EQ(Header(Get(p, "/assets/app.js", "gzip"), "Content-Encoding"), "");  // no .gz made for it
}

TEST(Portal, OnlyGet) {
  Portal p(TestAssets());
  http::Request req;
  req.method = "POST";
  req.target = "/borger";
  http::Response res;
  p.Serve(req, "/borger", &res);
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(Header(res, "Allow"), "GET");
}

TEST(PortalHandler, SendsApiPathsToTheApi) {
  class Recorder : public http::Handler {
   public:
    size_t BodyLimit(std::string_view, std::string_view) const override { return 123; }
    void Handle(const http::Request& r, http::Response* res) override {
      seen = r.target;
      res->status = 299;
    }
    void Refuse(int, std::string_view, std::string_view, http::Response*) override {}
    void Answered(const http::Request&, const http::Response&, double) override { ++answered; }
    std::string seen;
    int answered = 0;
  } api;
  Portal p(TestAssets());
  PortalHandler handler(&p, &api);
  for (std::string target : {"/api/v1/nemkonto/cpr:0102851237", "/auth/session", "/healthz", "/readyz", "/metrics"}) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    http::Response res;
    handler.Handle(req, &res);
    EXPECT_EQ(res.status, 299) << target;
    EXPECT_EQ(api.seen, target);
    EXPECT_EQ(handler.BodyLimit("PUT", target), 123u);
  }
  http::Request req;
  req.method = "GET";
  req.target = "/borger";
  http::Response res;
  handler.Handle(req, &res);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(handler.BodyLimit("POST", "/borger"), 0u);
  handler.Answered(req, res, 0.001);
  EXPECT_EQ(api.answered, 1);  // one access log and metrics for both
  EXPECT_FALSE(IsApiPath("/apix"));
  EXPECT_FALSE(IsApiPath("/authority"));
}

// The build of web/dist/ compiled into this binary is whole.
TEST(EmbeddedPortal, EveryReferencedFileIsThere) {
  Portal p(EmbeddedAssets());
  const Asset* index = p.Find("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_FALSE(index->body_gzip.empty());
  std::string html(index->body);
  EXPECT_EQ(html.find("<script>"), std::string::npos);  // no inline script: the CSP would refuse it
  std::regex ref(R"re((?:href|src)="(/assets/[^"]+)")re");
  int refs = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), ref), end; it != end; ++it, ++refs) {
    EXPECT_NE(p.Find((*it)[1].str()), nullptr) << (*it)[1].str();
  }
  EXPECT_GE(refs, 3);
  const Asset* css = p.Find("/assets/dkfds.css");
  ASSERT_NE(css, nullptr);
  std::string text(css->body);
  std::regex url(R"re(url\(([^)"]+)\))re");
  int urls = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), url), end; it != end; ++it, ++urls) {
    std::string u = (*it)[1].str();
    if (u.rfind("data:", 0) == 0) continue;
    EXPECT_NE(p.Find("/assets/" + u), nullptr) << u;
  }
  EXPECT_GT(urls, 20);
  // The modules app.js imports.
  for (const char* m : {"/assets/app.js", "/assets/ui.js", "/assets/pages.js", "/assets/i18n.js"}) {
    EXPECT_NE(p.Find(m), nullptr) << m;
  }
}

}  // namespace
}  // namespace nks::web
