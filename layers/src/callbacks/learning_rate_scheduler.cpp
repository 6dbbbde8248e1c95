#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "rnnkit/callbacks/callbacks.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::callbacks {

LearningRateScheduler::LearningRateScheduler(Schedule schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
  if (!schedule_) throw std::invalid_argument("LearningRateScheduler: the schedule is empty");
}

namespace {

// The optimizer's learning-rate hyperparameter (Keras optimizer.lr): the constant, before decay.
double base_rate(const optim::Optimizer& optimizer) {
  if (optimizer.learning_rate_setting().schedule() != nullptr) {
    throw std::logic_error(
        "LearningRateScheduler: the optimizer's learning rate is a schedule; give the optimizer "
        "a constant learning rate to schedule it per epoch");
  }
  return optimizer.learning_rate_setting()(0);
}

}  // namespace

void LearningRateScheduler::set_params(const TrainingParams& params) {
  Callback::set_params(params);
  base_rate(model().optimizer());
}

void LearningRateScheduler::on_epoch_begin(int epoch, const models::Logs&) {
  optim::Optimizer& optimizer = model().optimizer();
  const double rate = schedule_(epoch, base_rate(optimizer));
  if (!std::isfinite(rate)) {
    throw std::invalid_argument(fmt::format(
        "LearningRateScheduler: the schedule returned {} for epoch {}; expected a finite "
        "learning rate",
        rate, epoch));
  }
  optimizer.set_learning_rate(rate);
  if (verbose_ > 0) {
    fmt::print("Epoch {}: LearningRateScheduler setting learning rate to {}.\n", epoch + 1, rate);
  }
}

void LearningRateScheduler::on_epoch_end(int, models::Logs& logs) {
  logs.set("lr", base_rate(model().optimizer()));
}

}  // namespace rnnkit::callbacks
