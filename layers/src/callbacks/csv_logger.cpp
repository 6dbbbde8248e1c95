#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <stdexcept>

#include "rnnkit/callbacks/callbacks.h"

namespace rnnkit::callbacks {

CSVLogger::CSVLogger(std::filesystem::path filename, CSVLoggerOptions options)
    : filename_(std::move(filename)), options_(options) {
  if (filename_.empty()) throw std::invalid_argument("CSVLogger: filename is empty");
}

void CSVLogger::on_train_begin(const models::Logs&) {
  // Appending to a file that already has rows keeps its header (Keras).
  header_written_ = options_.append && std::filesystem::exists(filename_) &&
                    std::filesystem::file_size(filename_) > 0;
  if (file_.is_open()) file_.close();  // a previous fit that ended by an exception
  file_.open(filename_, options_.append ? std::ios::app : std::ios::trunc);
  if (!file_) {
    throw std::runtime_error(
        fmt::format("CSVLogger: cannot open '{}' for writing", filename_.string()));
  }
  keys_.clear();
}

void CSVLogger::on_epoch_end(int epoch, models::Logs& logs) {
  if (keys_.empty()) {
    for (const auto& entry : logs) keys_.push_back(entry.first);
    std::sort(keys_.begin(), keys_.end());
  }
  const char sep = options_.separator;
  if (!header_written_) {
    fmt::print(file_, "epoch");
    for (const std::string& key : keys_) fmt::print(file_, "{}{}", sep, key);
    fmt::print(file_, "\n");
    header_written_ = true;
  }
  fmt::print(file_, "{}", epoch);
  for (const std::string& key : keys_) {
    const double* value = logs.find(key);
    fmt::print(file_, "{}{}", sep, value ? fmt::format("{}", *value) : std::string("NA"));
  }
  fmt::print(file_, "\n");
  file_.flush();
}

void CSVLogger::on_train_end(const models::Logs&) { file_.close(); }

}  // namespace rnnkit::callbacks
