#pragma once

#include <cstdint>
#include <string>
#include <vector>

/// Learning-rate schedules (Keras spec §7), evaluated at the optimizer's `iterations` before
/// each update.
namespace rnnkit::optim {

/// Base class of every schedule (Keras LearningRateSchedule); subclass it for your own.
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  /// The learning rate at optimizer step `step` (0 for the first update).
  virtual double operator()(std::int64_t step) const = 0;
  /// Keras class name, e.g. "ExponentialDecay".
  virtual std::string class_name() const = 0;
};

/// initial_learning_rate * decay_rate^(step / decay_steps), the exponent floored when
/// `staircase` (Keras ExponentialDecay).
class ExponentialDecay final : public LearningRateSchedule {
 public:
  ExponentialDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   bool staircase = false);
  double operator()(std::int64_t step) const override;
  std::string class_name() const override { return "ExponentialDecay"; }

 private:
  double initial_learning_rate_;
  double decay_steps_;
  double decay_rate_;
  bool staircase_;
};

/// initial_learning_rate / (1 + decay_rate * step / decay_steps), the ratio floored when
/// `staircase` (Keras InverseTimeDecay).
class InverseTimeDecay final : public LearningRateSchedule {
 public:
  InverseTimeDecay(double initial_learning_rate, double decay_steps, double decay_rate,
                   bool staircase = false);
  double operator()(std::int64_t step) const override;
  std::string class_name() const override { return "InverseTimeDecay"; }

 private:
  double initial_learning_rate_;
  double decay_steps_;
  double decay_rate_;
  bool staircase_;
};

/// values[0] while step <= boundaries[0], values[k] while boundaries[k-1] < step <=
/// boundaries[k], values.back() after the last boundary (Keras PiecewiseConstantDecay).
/// Boundaries must increase strictly; values.size() must be boundaries.size() + 1.
class PiecewiseConstantDecay final : public LearningRateSchedule {
 public:
  PiecewiseConstantDecay(std::vector<double> boundaries, std::vector<double> values);
  double operator()(std::int64_t step) const override;
  std::string class_name() const override { return "PiecewiseConstantDecay"; }

 private:
  std::vector<double> boundaries_;
  std::vector<double> values_;
};

}  // namespace rnnkit::optim
