#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>

#include "rnnkit/optim/schedules.h"

namespace rnnkit::optim {

/// An optimizer's `learning_rate` argument: a constant, a LearningRateSchedule object, or any
/// callable double(std::int64_t step). Evaluated at the optimizer's `iterations` before the
/// update (Keras spec §7). Copies share one schedule.
class LearningRate {
 public:
  LearningRate(double value);  // NOLINT: implicit, reads like Keras's learning_rate=1e-3
  template <std::derived_from<LearningRateSchedule> S>
  LearningRate(S schedule)  // NOLINT
      : schedule_(std::make_shared<S>(std::move(schedule))) {}
  LearningRate(std::shared_ptr<const LearningRateSchedule> schedule);  // NOLINT
  template <class F>
  requires std::invocable<const F&, std::int64_t> &&
      std::convertible_to < std::invoke_result_t<const F&, std::int64_t>,
  double > &&(!std::derived_from<F, LearningRateSchedule>)LearningRate(F function)  // NOLINT
      : schedule_(make_function(std::function<double(std::int64_t)>(std::move(function)))) {}

  /// The learning rate at optimizer step `step`.
  double operator()(std::int64_t step) const { return schedule_ ? (*schedule_)(step) : value_; }
  /// The schedule, or null for a constant.
  const LearningRateSchedule* schedule() const { return schedule_.get(); }

 private:
  static std::shared_ptr<const LearningRateSchedule> make_function(
      std::function<double(std::int64_t)> function);
  double value_ = 0.0;
  std::shared_ptr<const LearningRateSchedule> schedule_;
};

}  // namespace rnnkit::optim
