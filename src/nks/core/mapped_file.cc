#include "nks/core/mapped_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace nks {
namespace {

// The handler's table. A slot is claimed by CAS on `in_use`, then filled;
// `begin`/`end` are published with release stores and read with acquire
// loads in the handler.
struct Slot {
  std::atomic<bool> in_use{false};
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> truncated{false};
};
Slot g_slots[MappedFile::kOpenMax];
struct sigaction g_previous {};
std::once_flag g_installed;

void OnSigbus(int signal, siginfo_t* info, void* context) {
  const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& slot : g_slots) {
    const uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    if (begin == 0 || address < begin || address >= slot.end.load(std::memory_order_acquire)) continue;
    // Zeros over the missing page; the faulting read then succeeds.
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    void* at = reinterpret_cast<void*>(address / page * page);
    if (mmap(at, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) break;
    slot.truncated.store(true, std::memory_order_relaxed);
    return;
  }
  // Not ours: what would have happened without us.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) return g_previous.sa_sigaction(signal, info, context);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    return g_previous.sa_handler(signal);
  }
  ::signal(SIGBUS, SIG_DFL);
  ::raise(SIGBUS);
}

void InstallHandler() {
  struct sigaction action {};
  action.sa_sigaction = &OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &g_previous);
}

int ClaimSlot() {
  for (size_t i = 0; i < MappedFile::kOpenMax; ++i) {
    bool expected = false;
    if (g_slots[i].in_use.compare_exchange_strong(expected, true)) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<MappedFile> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::IoError(fmt::format("{}: not a regular file", path));
  }
  auto mapped = Map(fd, static_cast<size_t>(st.st_size), path);
  ::close(fd);
  return mapped;
}

Result<MappedFile> MappedFile::Map(int fd, size_t bytes, const std::string& path) {
  std::call_once(g_installed, InstallHandler);
  MappedFile m;
  m.path_ = path;
  if (bytes == 0) return m;
  const int slot = ClaimSlot();
  if (slot < 0) {
    return Status::IoError(fmt::format("{}: more than {} files mapped at once", path, kOpenMax));
  }
  void* p = ::mmap(nullptr, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    g_slots[slot].in_use.store(false);
    return Status::IoError(fmt::format("{}: cannot map: {}", path, std::strerror(errno)));
  }
  ::madvise(p, bytes, MADV_SEQUENTIAL);
  Slot& s = g_slots[slot];
  s.truncated.store(false, std::memory_order_relaxed);
  s.end.store(reinterpret_cast<uintptr_t>(p) + bytes, std::memory_order_release);
  s.begin.store(reinterpret_cast<uintptr_t>(p), std::memory_order_release);
  m.data_ = static_cast<const char*>(p);
  m.size_ = bytes;
  m.slot_ = slot;
  return m;
}

bool MappedFile::truncated() const {
  return slot_ >= 0 && g_slots[slot_].truncated.load(std::memory_order_relaxed);
}

Status MappedFile::CheckUnchanged() const {
  if (!truncated()) return Status::Ok();
  return Status::IoError(fmt::format(
      "{}: the file shrank while it was being read; a file must not change until NKS has answered", path_));
}

void MappedFile::Release() {
  if (slot_ < 0) return;
  Slot& s = g_slots[slot_];
  s.begin.store(0, std::memory_order_release);  // the handler stops matching it first
  s.end.store(0, std::memory_order_release);
  ::munmap(const_cast<char*>(data_), size_);
  s.in_use.store(false, std::memory_order_release);
  slot_ = -1;
  data_ = nullptr;
  size_ = 0;
}

MappedFile::~MappedFile() { Release(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(other.data_), size_(other.size_), slot_(other.slot_), path_(std::move(other.path_)) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.slot_ = -1;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    slot_ = other.slot_;
    path_ = std::move(other.path_);
    other.data_ = nullptr;
    other.size_ = 0;
    other.slot_ = -1;
  }
  return *this;
}

}  // namespace nks
