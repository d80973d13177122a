#include "nks/http/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace nks::http {

Metrics::Metrics(const std::vector<std::string>& routes) {
  auto add = [&](const std::string& label) {
    auto r = std::make_unique<PerRoute>();
    r->label = label;
    routes_.push_back(std::move(r));
    index_.emplace(routes_.back()->label, routes_.size() - 1);
  };
  add("none");
  for (const auto& r : routes) add(r);
}

Metrics::PerRoute& Metrics::For(std::string_view route) {
  auto it = index_.find(route);
  return *routes_[it == index_.end() ? 0 : it->second];
}

void Metrics::Record(std::string_view route, int status, double seconds) {
  PerRoute& r = For(route);
  auto s = std::find(kStatuses.begin(), kStatuses.end(), status);
  size_t slot = s != kStatuses.end() ? static_cast<size_t>(s - kStatuses.begin())
                                     : kStatuses.size() + static_cast<size_t>(std::clamp(status / 100, 1, 5) - 1);
  r.by_status[slot].fetch_add(1, std::memory_order_relaxed);
  auto b = std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds);
  r.buckets[static_cast<size_t>(b - kBuckets.begin())].fetch_add(1, std::memory_order_relaxed);
  r.sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP nks_http_requests_total HTTP requests answered, by route template and status.\n";
  out += "# TYPE nks_http_requests_total counter\n";
  for (const auto& r : routes_) {
    for (size_t i = 0; i < r->by_status.size(); ++i) {
      uint64_t n = r->by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = i < kStatuses.size() ? std::to_string(kStatuses[i])
                                                : fmt::format("{}xx", i - kStatuses.size() + 1);
      out += fmt::format("nks_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", r->label, status, n);
    }
  }
  out += "# HELP nks_http_request_duration_seconds Time from a request's header to its answer written.\n";
  out += "# TYPE nks_http_request_duration_seconds histogram\n";
  for (const auto& r : routes_) {
    uint64_t cumulative = 0;
    std::string lines;
    for (size_t i = 0; i < r->buckets.size(); ++i) {
      cumulative += r->buckets[i].load(std::memory_order_relaxed);
      std::string le = i < kBuckets.size() ? fmt::format("{}", kBuckets[i]) : "+Inf";
      lines += fmt::format("nks_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", r->label, le,
                           cumulative);
    }
    if (cumulative == 0) continue;
    out += lines;
    out += fmt::format("nks_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", r->label,
                       static_cast<double>(r->sum_us.load(std::memory_order_relaxed)) / 1e6);
    out += fmt::format("nks_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", r->label, cumulative);
  }
  return out;
}

}  // namespace nks::http
