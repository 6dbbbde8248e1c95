#include <fmt/args.h>
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "callbacks/monitor.h"
#include "rnnkit/callbacks/callbacks.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::callbacks {
namespace {

// `pattern` with {epoch} (1-based) and every log value filled in, e.g. "w-{epoch:02d}.rnnkit".
std::string format_path(const std::string& pattern, int epoch, const models::Logs& logs) {
  fmt::dynamic_format_arg_store<fmt::format_context> arguments;
  arguments.push_back(fmt::arg("epoch", epoch + 1));
  for (const auto& [name, value] : logs) arguments.push_back(fmt::arg(name.c_str(), value));
  try {
    return fmt::vformat(pattern, arguments);
  } catch (const fmt::format_error& error) {
    throw std::invalid_argument(fmt::format(
        "ModelCheckpoint: cannot format filepath \"{}\" ({}); it may name {{epoch}} and the "
        "logged values: {}",
        pattern, error.what(), logs.names()));
  }
}

// The field names of a format string: "w-{epoch:02d}-{loss}" -> epoch, loss ("{{" is a brace).
std::vector<std::string> field_names(const std::string& pattern) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') continue;
    if (i + 1 < pattern.size() && pattern[i + 1] == '{') {
      ++i;
      continue;
    }
    const std::size_t end = pattern.find_first_of(":}", i + 1);
    if (end == std::string::npos) break;
    names.push_back(pattern.substr(i + 1, end - i - 1));
    i = end;
  }
  return names;
}

}  // namespace

ModelCheckpoint::ModelCheckpoint(std::string filepath, ModelCheckpointOptions options)
    : filepath_(std::move(filepath)), options_(std::move(options)) {
  if (filepath_.empty()) throw std::invalid_argument("ModelCheckpoint: filepath is empty");
  // Keras's "auto" for ModelCheckpoint: names with "acc" or starting with "fmeasure" grow.
  const std::string& monitor = options_.monitor;
  maximize_ = detail::maximizes(
      "ModelCheckpoint", options_.mode,
      monitor.find("acc") != std::string::npos || monitor.starts_with("fmeasure"));
  best_ = detail::worst_value(maximize_);
}

void ModelCheckpoint::set_params(const TrainingParams& params) {
  Callback::set_params(params);
  models::Logs names;
  for (const std::string& name : params.log_names) names.set(name, 0.0);
  // A callback that does not say what it logs may log any name; only the format specs are
  // checked then.
  if (!params.log_names_complete) {
    for (const std::string& name : field_names(filepath_)) {
      if (!names.contains(name) && name != "epoch") names.set(name, 0.0);
    }
  }
  format_path(filepath_, 0, names);
}

void ModelCheckpoint::on_epoch_end(int epoch, models::Logs& logs) {
  if (options_.save_best_only) {
    const double* current = logs.find(options_.monitor);
    if (!current) {
      detail::warn_missing("ModelCheckpoint", options_.monitor, logs.names());
      return;
    }
    const bool improved = maximize_ ? *current > best_ : *current < best_;
    if (!improved) {
      if (options_.verbose > 0) {
        fmt::print("Epoch {}: {} did not improve from {:.5f}\n", epoch + 1, options_.monitor,
                   best_);
      }
      return;
    }
    if (options_.verbose > 0) {
      fmt::print("Epoch {}: {} improved from {:.5f} to {:.5f}, saving model\n", epoch + 1,
                 options_.monitor, best_, *current);
    }
    best_ = *current;
  }
  const std::filesystem::path path = format_path(filepath_, epoch, logs);
  if (options_.save_weights_only) {
    model().save_weights(path);
  } else {
    model().save(path);
  }
  last_saved_ = path;
  if (options_.verbose > 0 && !options_.save_best_only) {
    fmt::print("Epoch {}: saving model to {}\n", epoch + 1, path.string());
  }
}

}  // namespace rnnkit::callbacks
