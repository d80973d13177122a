// Prometheus metrics of the HTTP server: requests by route and status, and
// a latency histogram per route. Lock-free counters; Render() reads them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nks::http {

class Metrics {
 public:
  // The route labels (templates); "" (no route matched) is added as "none".
  explicit Metrics(const std::vector<std::string>& routes);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void Record(std::string_view route, int status, double seconds);
  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

  // Bucket upper bounds, seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,  5.0};
  // The statuses counted one by one; any other counts as its class ("2xx").
  static constexpr std::array<int, 20> kStatuses = {200, 201, 204, 400, 401, 403, 404, 405, 406, 408,
                                                    409, 413, 415, 422, 429, 431, 500, 501, 503, 504};

 private:
  struct PerRoute {
    std::string label;
    std::array<std::atomic<uint64_t>, kStatuses.size() + 5> by_status{};  // + 1xx..5xx classes
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};     // + Inf
    std::atomic<uint64_t> sum_us{0};
  };
  PerRoute& For(std::string_view route);

  std::vector<std::unique_ptr<PerRoute>> routes_;
  std::unordered_map<std::string_view, size_t> index_;  // label -> routes_ (read-only after construction)
};

}  // namespace nks::http
