#pragma once

#include <rnnkit/framework/config.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

/// Learning-rate schedules (Keras spec §7), evaluated at the optimizer's `iterations` before
/// each update. The built-in ones have Keras's get_config() and a static from_config() that
/// takes it back (keys left out take the defaults, unknown keys throw std::invalid_argument).
namespace rnnkit::optim {

/// Base class of every schedule (Keras LearningRateSchedule); subclass it for your own.
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  /// The learning rate at optimizer step `step` (0 for the first update).
  virtual double operator()(std::int64_t step) const = 0;
  /// Keras class name, e.g. "ExponentialDecay".
  virtual std::string class_name() const = 0;
  /// Keras get_config(). Keras's base class has none, so the default throws
  /// std::invalid_argument naming class_name().
  virtual Config get_config() const;
};

/// initial_learning_rate * decay_rate^(step / decay_steps), the exponent floored when
/// `staircase` (Keras ExponentialDecay).
class ExponentialDecay final : public LearningRateSchedule {
 public:
  /// `name` is Keras's optional name, kept for get_config().
  ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   bool staircase = false, std::optional<std::string> name = std::nullopt);
  double operator()(std::int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }
  /// {"initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"}; a whole
  /// decay_steps is written as an integer.
  Config get_config() const override;
  static ExponentialDecay from_config(const Config& config);

 private:
  double initial_learning_rate_;
  double decay_steps_;
  double decay_rate_;
  bool staircase_;
  std::optional<std::string> name_;
};

/// initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored when
/// `staircase` (Keras InverseTimeDecay).
class InverseTimeDecay final : public LearningRateSchedule {
 public:
  /// `name` is Keras's optional name, kept for get_config().
  InverseTimeDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   bool staircase = false, std::optional<std::string> name = std::nullopt);
  double operator()(std::int64_t step) const override;
  std::string class_name() const override { return "InverseTimeDecay"; }
  /// {"initial_learning_rate", "decay_steps", "decay_rate", "staircase", "name"}; a whole
  /// decay_steps is written as an integer.
  Config get_config() const override;
  static InverseTimeDecay from_config(const Config& config);

 private:
  double initial_learning_rate_;
  double decay_steps_;
  double decay_rate_;
  bool staircase_;
  std::optional<std::string> name_;
};

/// values[0] while step <= boundaries[0], values[k] while boundaries[k-1] < step <=
/// boundaries[k], values.back() after the last boundary (Keras PiecewiseConstantDecay).
/// Boundaries must increase strictly; values.size() must be boundaries.size() + 1.
class PiecewiseConstantDecay final : public LearningRateSchedule {
 public:
  /// `name` is Keras's optional name, kept for get_config().
  PiecewiseConstantDecay(std::vector<double> boundaries, std::vector<double> values,
                         std::optional<std::string> name = std::nullopt);
  double operator()(std::int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }
  /// {"boundaries", "values", "name"}; whole boundaries are written as integers.
  Config get_config() const override;
  static PiecewiseConstantDecay from_config(const Config& config);

 private:
  std::vector<double> boundaries_;
  std::vector<double> values_;
  std::optional<std::string> name_;
};

}  // namespace rnnkit::optim
