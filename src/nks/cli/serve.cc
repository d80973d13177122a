#include "nks/cli/serve.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "nks/api/api.h"
#include "nks/core/ids.h"
#include "nks/http/access_log.h"
#include "nks/register/register.h"
#include "nks/store/store.h"
#include "nks/web/portal.h"

namespace nks::cli {
namespace {

namespace fs = std::filesystem;

constexpr auto kRefreshInterval = std::chrono::seconds(1);  // other processes' changes, access log flush

int Fail(const Status& st) {
  fmt::print(stderr, "nks: error: {}\n", MaskCprsIn(st.message()));
  return 1;
}

// Runs `fn` every interval on its own thread until destroyed.
class Ticker {
 public:
  template <typename Fn>
  explicit Ticker(Fn fn) : thread_([this, fn] {
      std::unique_lock lock(mu_);
      while (!cv_.wait_for(lock, kRefreshInterval, [this] { return done_; })) {
        lock.unlock();
        fn();
        lock.lock();
      }
    }) {}
  ~Ticker() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

std::string StoreTarget(const std::string& data_dir, const std::string& db) {
  return db.empty() ? (fs::path(data_dir) / "nks.db").string() : db;
}

Status CheckInitialised(const std::string& data_dir, const std::string& db) {
  const std::string target = StoreTarget(data_dir, db);
  const bool postgres = store::IsPostgresUrl(target);
  if (fs::exists(postgres ? fs::path(data_dir) / "outbox" : fs::path(target))) return Status::Ok();
  return Status::FailedPrecondition(fmt::format("{} is not an NKS data directory: run 'nks --data {}{} init' first",
                                                data_dir, data_dir, db.empty() ? "" : " --db ..."));
}

int Serve(const ServeOptions& o) {
  auto clock = MakeClock(o.clock);
  if (!clock.ok()) return Fail(clock.status());
  if (o.demo && !http::IsLoopbackListen(o.server.listen)) {
    return Fail(Status::Invalid(fmt::format(
        "--demo lets anyone log in as anyone: it is allowed only on a loopback address (127.0.0.1, [::1]), "
        "not --listen {}",
        o.server.listen)));
  }
  if (Status st = CheckInitialised(o.data_dir, o.db); !st.ok()) return Fail(st);
  auto store = store::OpenStore(StoreTarget(o.data_dir, o.db));
  if (!store.ok()) return Fail(store.status());
  reg::RegisterOptions ro;
  ro.outbox_dir = fs::path(o.data_dir) / "outbox";
  ro.cache_dir = fs::path(o.data_dir) / "cache";
  auto reg = reg::Register::Open(store->get(), clock->get(), ro);
  if (!reg.ok()) return Fail(reg.status());
  auto log = http::AccessLog::Open(o.access_log);
  if (!log.ok()) return Fail(log.status());
  api::ApiOptions ao;
  ao.data_dir = o.data_dir;
  ao.tls = !o.server.tls_cert.empty();
  ao.demo = o.demo;
  ao.origins = o.origins;
  auto api = api::Api::Open(store->get(), reg->get(), clock->get(), ao, log->get());
  if (!api.ok()) return Fail(api.status());
  // The portal's static files in front of the API (web/portal.h).
  web::Portal portal(web::EmbeddedAssets());
  web::PortalHandler handler(&portal, api->get());
  auto server = http::Server::Start(o.server, &handler);
  if (!server.ok()) return Fail(server.status());
  (*api)->SetServer(server->get());
  fmt::print(stderr, "nks serve: listening on {} port {} ({}), {} threads\n", o.server.listen, (*server)->port(),
             o.server.tls_cert.empty() ? "plain HTTP, loopback" : (o.server.client_ca.empty() ? "TLS" : "TLS, client certificates"),
             o.server.threads);
  if (o.demo) fmt::print(stderr, "nks serve: DEMO LOGIN ON: POST /auth/demo logs anyone in\n");
  {
    Ticker ticker([&] {
      Status st = (*api)->Refresh();
      if (!st.ok()) fmt::print(stderr, "nks serve: refresh: {}\n", MaskCprsIn(st.ToString()));
      (*log)->Flush();
    });
    (*server)->Run();
  }
  (*log)->Flush();
  fmt::print(stderr, "nks serve: stopped\n");
  return 0;
}

}  // namespace nks::cli
