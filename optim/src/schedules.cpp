#include "rnnkit/optim/schedules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/config_reader.h>

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

Config name_config(const std::optional<std::string>& name) {
  return name ? Config(*name) : Config(nullptr);
}

std::optional<std::string> read_name(ConfigReader& reader) {
  return reader.parse("name", std::optional<std::string>(), [](const Config& value) {
    if (value.is_null()) return std::optional<std::string>();
    if (!value.is_string()) {
      throw std::invalid_argument(
          fmt::format("expected a string or null, got {} {}", value.type_name(), value.dump()));
    }
    return std::optional<std::string>(value.get<std::string>());
  });
}

// ExponentialDecay and InverseTimeDecay share their arguments.
template <class Schedule>
Schedule decay_from_config(std::string_view class_name, const Config& config) {
  ConfigReader reader(fmt::format("{} config", class_name), config);
  const double initial_learning_rate = reader.number("initial_learning_rate");
  const double decay_steps = reader.number("decay_steps");
  const double decay_rate = reader.number("decay_rate");
  const bool staircase = reader.boolean("staircase", false);
  std::optional<std::string> name = read_name(reader);
  reader.finish();
  return Schedule(initial_learning_rate, decay_steps, decay_rate, staircase, std::move(name));
}

Config decay_config(double initial_learning_rate, double decay_steps, double decay_rate,
                    bool staircase, const std::optional<std::string>& name) {
  return {{"initial_learning_rate", initial_learning_rate},
          {"decay_steps", whole_as_integer(decay_steps)},
          {"decay_rate", decay_rate},
          {"staircase", staircase},
          {"name", name_config(name)}};
}

}  // namespace

Config LearningRateSchedule::get_config() const {
  throw std::invalid_argument(
      fmt::format("learning rate schedule {}: cannot be serialized, its class does not override "
                  "get_config",
                  class_name()));
}

ExponentialDecay::ExponentialDecay(double initial_learning_rate, double decay_steps,
                                   double decay_rate, bool staircase,
                                   std::optional<std::string> name)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      staircase_(staircase),
      name_(std::move(name)) {
  detail::require_non_negative("ExponentialDecay", "initial_learning_rate", initial_learning_rate);
  require_positive_steps("ExponentialDecay", decay_steps);
  detail::require_non_negative("ExponentialDecay", "decay_rate", decay_rate);
}

double ExponentialDecay::operator()(std::int64_t step) const {
  double p = static_cast<double>(step) / decay_steps_;
  if (staircase_) p = std::floor(p);
  return initial_learning_rate_ * std::pow(decay_rate_, p);
}

Config ExponentialDecay::get_config() const {
  return decay_config(initial_learning_rate_, decay_steps_, decay_rate_, staircase_, name_);
}

ExponentialDecay ExponentialDecay::from_config(const Config& config) {
  return decay_from_config<ExponentialDecay>("ExponentialDecay", config);
}

InverseTimeDecay::InverseTimeDecay(double initial_learning_rate, double decay_steps,
                                   double decay_rate, bool staircase,
                                   std::optional<std::string> name)
    : initial_learning_rate_(initial_learning_rate),
      decay_steps_(decay_steps),
      decay_rate_(decay_rate),
      staircase_(staircase),
      name_(std::move(name)) {
  detail::require_non_negative("InverseTimeDecay", "initial_learning_rate", initial_learning_rate);
  require_positive_steps("InverseTimeDecay", decay_steps);
  detail::require_non_negative("InverseTimeDecay", "decay_rate", decay_rate);
}

double InverseTimeDecay::operator()(std::int64_t step) const {
  double p = static_cast<double>(step) / decay_steps_;
  if (staircase_) p = std::floor(p);
  return initial_learning_rate_ / (1.0 + decay_rate_ * p);
}

Config InverseTimeDecay::get_config() const {
  return decay_config(initial_learning_rate_, decay_steps_, decay_rate_, staircase_, name_);
}

InverseTimeDecay InverseTimeDecay::from_config(const Config& config) {
  return decay_from_config<InverseTimeDecay>("InverseTimeDecay", config);
}

PiecewiseConstantDecay::PiecewiseConstantDecay(std::vector<double> boundaries,
                                               std::vector<double> values,
                                               std::optional<std::string> name)
    : boundaries_(std::move(boundaries)), values_(std::move(values)), name_(std::move(name)) {
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

Config PiecewiseConstantDecay::get_config() const {
  Config boundaries = Config::array();
  for (double boundary : boundaries_) boundaries.push_back(whole_as_integer(boundary));
  return {{"boundaries", boundaries}, {"values", values_}, {"name", name_config(name_)}};
}

PiecewiseConstantDecay PiecewiseConstantDecay::from_config(const Config& config) {
  ConfigReader reader("PiecewiseConstantDecay config", config);
  std::vector<double> boundaries = reader.numbers("boundaries");
  std::vector<double> values = reader.numbers("values");
  std::optional<std::string> name = read_name(reader);
  reader.finish();
  return PiecewiseConstantDecay(std::move(boundaries), std::move(values), std::move(name));
}

}  // namespace rnnkit::optim
