// Fuzzes the bank report reader (pain.002 / camt.054, BankReportReader) on
// whole files, through a memfd opened as /proc/self/fd/N like
// pain001_fuzz.cc: the reader takes a path.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nks/iso20022/bank_report_reader.h"

namespace {

using nks::Status;
using namespace nks::iso20022;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "bank_report_fuzz: invariant broken: %s\n", what);
    std::abort();
  }
}

class CheckingVisitor : public BankReportVisitor {
 public:
  Status OnHeader(const BankReportHeader& header) override {
    Require(!seen_header_, "OnHeader twice");
    seen_header_ = true;
    bytes_ += BankReportKindName(header.kind).size() + header.msg_id.size();
    return Status::Ok();
  }
  Status OnTransaction(const BankReportTransaction& tx) override {
    Require(seen_header_, "OnTransaction before OnHeader");
    ++transactions_;
    bytes_ += BankOutcomeName(tx.outcome).size() + tx.instr_id.size() + tx.reason_code.size();
    return Status::Ok();
  }
  uint64_t transactions() const { return transactions_; }

 private:
  bool seen_header_ = false;
  uint64_t transactions_ = 0;
  size_t bytes_ = 0;
};

int InputFd() {
  static const int fd = [] {
    const int created = memfd_create("bank_report_fuzz", MFD_CLOEXEC);
    Require(created >= 0, "memfd_create failed");
    return created;
  }();
  return fd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = InputFd();
  Require(ftruncate(fd, 0) == 0, "ftruncate failed");
  Require(pwrite(fd, data, size, 0) == static_cast<ssize_t>(size), "pwrite failed");
  auto reader = BankReportReader::Open("/proc/self/fd/" + std::to_string(fd));
  Require(reader.ok(), "Open failed");
  CheckingVisitor visitor;
  const auto count = reader->Read(visitor);
  if (count.ok()) {
    Require(*count == visitor.transactions(), "count differs from the transactions handed over");
  } else {
    Require(count.status().code() == nks::Code::kInvalidArgument, "unexpected error code");
  }
  return 0;
}
