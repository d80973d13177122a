#include "nks/payments/payment_format.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "nks/payments/csv_source.h"
#include "nks/payments/pain001_source.h"

namespace nks::payments {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kCsvSniff = "#nks-payments";
constexpr size_t kSniffBytes = 64;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string_view PaymentFormatName(PaymentFormat format) {
  return format == PaymentFormat::kCsv ? "csv" : "pain001";
}

Result<PaymentFormat> DetectPaymentFormat(const std::string& path) {
  const std::string extension = Lower(std::filesystem::path(path).extension().string());
  if (extension == ".csv") return PaymentFormat::kCsv;
  if (extension == ".xml") return PaymentFormat::kPain001;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::array<char, kSniffBytes> head{};
  const ssize_t n = ::read(fd, head.data(), head.size());
  ::close(fd);
  if (n < 0) return Status::IoError(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::string_view start(head.data(), static_cast<size_t>(n));
  if (start.starts_with(kUtf8Bom)) start.remove_prefix(kUtf8Bom.size());
  return start.starts_with(kCsvSniff) ? PaymentFormat::kCsv : PaymentFormat::kPain001;
}

Result<PaymentFormat> ChoosePaymentFormat(std::string_view name, const std::string& path) {
  if (name == "pain001") return PaymentFormat::kPain001;
  if (name == "csv") return PaymentFormat::kCsv;
  if (name == "auto") return DetectPaymentFormat(path);
  return Status::Invalid(fmt::format("--format: '{}' is not pain001, csv or auto", name));
}

IncomingReader ReaderFor(PaymentFormat format) {
  if (format == PaymentFormat::kCsv) return ReadPaymentCsv;
  return ReadPain001;
}

}  // namespace nks::payments
