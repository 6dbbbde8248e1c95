#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "rnnkit/callbacks/callbacks.h"

namespace rnnkit::callbacks {
namespace {

// The stream does not keep the OS error; errno still holds it right after the failed call.
[[noreturn]] void throw_os_error(int error, std::string_view action,
                                 const std::filesystem::path& file) {
  throw std::system_error(error != 0 ? error : EIO, std::generic_category(),
                          fmt::format("CSVLogger: cannot {} '{}'", action, file.string()));
}

}  // namespace

CSVLogger::CSVLogger(std::filesystem::path filename, CSVLoggerOptions options)
    : filename_(std::move(filename)), options_(options) {
  if (filename_.empty()) throw std::invalid_argument("CSVLogger: filename is empty");
  const char separator = options_.separator;
  if (separator == '\n' || separator == '\r' || separator == '"') {
    throw std::invalid_argument(fmt::format(
        "CSVLogger: separator must not end a row or quote a field (newline, carriage return or "
        "'\"'), got {:?}",
        separator));
  }
}

void CSVLogger::on_train_begin(const models::Logs&) {
  // Appending to a file that already has rows keeps its header (Keras).
  std::error_code ignored;
  header_written_ =
      options_.append && std::filesystem::file_size(filename_, ignored) > 0 && !ignored;
  if (file_.is_open()) file_.close();  // a previous fit that ended by an exception
  file_.clear();
  errno = 0;
  file_.open(filename_, options_.append ? std::ios::app : std::ios::trunc);
  if (!file_) throw_os_error(errno, "open for writing", filename_);
  keys_.clear();
}

void CSVLogger::on_epoch_end(int epoch, models::Logs& logs) {
  if (keys_.empty()) {
    for (const auto& entry : logs) keys_.push_back(entry.first);
    std::sort(keys_.begin(), keys_.end());
  }
  const char sep = options_.separator;
  std::string rows;
  if (!header_written_) {
    rows += "epoch";
    for (const std::string& key : keys_) rows += fmt::format("{}{}", sep, key);
    rows += '\n';
  }
  rows += fmt::format("{}", epoch);
  for (const std::string& key : keys_) {
    const double* value = logs.find(key);
    rows += fmt::format("{}{}", sep, value ? fmt::format("{}", *value) : std::string("NA"));
  }
  rows += '\n';
  errno = 0;
  file_.write(rows.data(), static_cast<std::streamsize>(rows.size()));
  file_.flush();
  if (!file_) throw_os_error(errno, "write to", filename_);
  header_written_ = true;
}

void CSVLogger::on_train_end(const models::Logs&) {
  if (!file_.is_open()) return;
  errno = 0;
  file_.close();
  if (!file_) throw_os_error(errno, "close", filename_);
}

}  // namespace rnnkit::callbacks
