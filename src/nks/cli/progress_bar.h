// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#pragma once

#include <chrono>
#include <string>

#include "nks/core/progress.h"

namespace nks::cli {

class ProgressBar {
 public:
  ProgressBar();
  ~ProgressBar();
  ProgressFn Fn();
  void Finish();

 private:
  void Draw(std::string_view phase, uint64_t done, uint64_t total);
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
  std::string phase_;
};

}  // namespace nks::cli
