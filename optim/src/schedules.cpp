#include "rnnkit/optim/schedules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "checks.h"

namespace rnnkit::optim {
namespace {

void require_positive_steps(std::string_view owner, double decay_steps) {
  if (!(std::isfinite(decay_steps) && decay_steps > 0.0)) {
    throw std::invalid_argument(
        fmt::format("{}: decay_steps must be a finite number > 0, got {}", owner, decay_steps));
  }
}

}  // namespace

ExponentialDecay::ExponentialDecay(double initial_learning_rate, double decay_steps,
                                   double decay_rate, bool staircase)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      staircase_(staircase) {
  detail::require_non_negative("ExponentialDecay", "initial_learning_rate", initial_learning_rate);
  require_positive_steps("ExponentialDecay", decay_steps);
  detail::require_non_negative("ExponentialDecay", "decay_rate", decay_rate);
}

double ExponentialDecay::operator()(std::int64_t step) const {
  double p = static_cast<double>(step) / decay_steps_;
  if (staircase_) p = std::floor(p);
  return initial_learning_rate_ * std::pow(decay_rate_, p);
}

InverseTimeDecay::InverseTimeDecay(double initial_learning_rate, double decay_steps,
                                   double decay_rate, bool staircase)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      staircase_(staircase) {
  detail::require_non_negative("InverseTimeDecay", "initial_learning_rate", initial_learning_rate);
  require_positive_steps("InverseTimeDecay", decay_steps);
  detail::require_non_negative("InverseTimeDecay", "decay_rate", decay_rate);
}

double InverseTimeDecay::operator()(std::int64_t step) const {
  double p = static_cast<double>(step) / decay_steps_;
  if (staircase_) p = std::floor(p);
  return initial_learning_rate_ / (1.0 + decay_rate_ * p);
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<double> boundaries,
                                               std::vector<double> values)
    : boundaries_(std::move(boundaries)), values_(std::move(values)) {
  if (values_.size() != boundaries_.size() + 1) {
    throw std::invalid_argument(
        fmt::format("PiecewiseConstantDecay: values must have one more element than boundaries "
                    "(expected {} values for {} boundaries), got {}",
                    boundaries_.size() + 1, boundaries_.size(), values_.size()));
  }
  if (std::adjacent_find(boundaries_.begin(), boundaries_.end(), std::greater_equal<>()) !=
          boundaries_.end() ||
      std::any_of(boundaries_.begin(), boundaries_.end(),
                  [](double b) { return !std::isfinite(b); })) {
    throw std::invalid_argument(fmt::format(
        "PiecewiseConstantDecay: boundaries must be finite and strictly increasing, got [{}]",
        fmt::join(boundaries_, ", ")));
  }
  for (double value : values_) {
    detail::require_non_negative("PiecewiseConstantDecay", "every element of values", value);
  }
}

double PiecewiseConstantDecay::operator()(std::int64_t step) const {
  // The first boundary >= step selects the value: step <= b0 gives values[0], step > b_last
  // gives values.back().
  const auto at =
      std::lower_bound(boundaries_.begin(), boundaries_.end(), static_cast<double>(step));
  return values_[static_cast<std::size_t>(at - boundaries_.begin())];
}

}  // namespace rnnkit::optim
