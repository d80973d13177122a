#include "nks/cli/progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

namespace nks::cli {

namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 30;
}  // namespace

ProgressBar::ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { Finish(); }

ProgressFn ProgressBar::Fn() {
  return [this](std::string_view phase, uint64_t done, uint64_t total) { Draw(phase, done, total); };
}

void ProgressBar::Draw(std::string_view phase, uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  bool new_phase = phase != phase_;
  if (!new_phase && done < total && now - last_ < kRedrawInterval) return;
  last_ = now;
  phase_ = phase;
  double fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  int filled = static_cast<int>(fraction * kBarWidth);
  fmt::print(stderr, "\r\x1b[2K[{:#<{}}{: <{}}] {:3.0f}% {}", "", filled, "", kBarWidth - filled,
             fraction * 100, phase);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (drawn_) fmt::print(stderr, "\r\x1b[2K");
  drawn_ = false;
}

}  // namespace nks::cli
