#include "rnnkit/optim/learning_rate.h"

#include <stdexcept>

namespace rnnkit::optim {
namespace {

/// A callable wrapped as a schedule.
class FunctionSchedule final : public LearningRateSchedule {
 public:
  explicit FunctionSchedule(std::function<double(std::int64_t)> function)
      : function_(std::move(function)) {}
  double operator()(std::int64_t step) const override { return function_(step); }
  std::string class_name() const override { return "function"; }
  Config get_config() const override {
    throw std::invalid_argument(
        "learning_rate: a callable learning rate cannot be serialized (no config can rebuild "
        "it); use a constant or a LearningRateSchedule such as ExponentialDecay");
  }

 private:
  std::function<double(std::int64_t)> function_;
};

}  // namespace

LearningRate::LearningRate(double value) : value_(value) {}

LearningRate::LearningRate(std::shared_ptr<const LearningRateSchedule> schedule)
    : schedule_(std::move(schedule)) {
  if (!schedule_) throw std::invalid_argument("LearningRate: expected a schedule, got null");
}

std::shared_ptr<const LearningRateSchedule> LearningRate::make_function(
    std::function<double(std::int64_t)> function) {
  if (!function) throw std::invalid_argument("LearningRate: expected a callable, got an empty one");
  return std::make_shared<FunctionSchedule>(std::move(function));
}

}  // namespace rnnkit::optim
