#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "callbacks/monitor.h"
#include "rnnkit/callbacks/callbacks.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::callbacks {

EarlyStopping::EarlyStopping(EarlyStoppingOptions options) : options_(std::move(options)) {
  if (options_.patience < 0) {
    throw std::invalid_argument(
        fmt::format("EarlyStopping: patience must be >= 0, got {}", options_.patience));
  }
  // NaN compares false with everything: no epoch would ever improve.
  if (std::isnan(options_.min_delta)) {
    throw std::invalid_argument("EarlyStopping: min_delta must be a number, got nan");
  }
  if (options_.baseline && std::isnan(*options_.baseline)) {
    throw std::invalid_argument("EarlyStopping: baseline must be a number or unset, got nan");
  }
  // Keras's "auto": accuracies and AUCs grow, everything else shrinks.
  const std::string& monitor = options_.monitor;
  maximize_ = detail::maximizes(
      "EarlyStopping", options_.mode,
      monitor.ends_with("acc") || monitor.ends_with("accuracy") || monitor.ends_with("auc"));
  options_.min_delta = std::abs(options_.min_delta);
}

bool EarlyStopping::improves(double value, double reference) const {
  return maximize_ ? value - options_.min_delta > reference
                   : value + options_.min_delta < reference;
}

void EarlyStopping::on_train_begin(const models::Logs&) {
  wait_ = 0;
  stopped_epoch_ = 0;
  best_epoch_ = 0;
  best_ = detail::worst_value(maximize_);
  best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, models::Logs& logs) {
  const double* current = logs.find(options_.monitor);
  if (!current) {
    detail::warn_missing("EarlyStopping", options_.monitor, logs.names());
    return;
  }
  // Keras 2.9: the first epoch's weights are kept even if nothing ever improves.
  if (options_.restore_best_weights && best_weights_.empty()) best_weights_ = model().get_weights();
  ++wait_;
  if (improves(*current, best_)) {
    best_ = *current;
    best_epoch_ = epoch;
    if (options_.restore_best_weights) best_weights_ = model().get_weights();
    // The count restarts only when the baseline is beaten too; an improving epoch never stops
    // training (Keras 2.11+: with 2.9, patience 0 stopped even on an improvement).
    if (!options_.baseline || improves(*current, *options_.baseline)) wait_ = 0;
    return;
  }
  if (wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model().stop_training = true;
    if (options_.restore_best_weights && !best_weights_.empty()) {
      if (options_.verbose > 0) {
        fmt::print("Restoring model weights from the end of the best epoch: {}.\n",
                   best_epoch_ + 1);
      }
      model().set_weights(best_weights_);
    }
  }
}

void EarlyStopping::on_train_end(const models::Logs&) {
  if (stopped_epoch_ > 0 && options_.verbose > 0) {
    fmt::print("Epoch {}: early stopping\n", stopped_epoch_ + 1);
  }
}

}  // namespace rnnkit::callbacks
