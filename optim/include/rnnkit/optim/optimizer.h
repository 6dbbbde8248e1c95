#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rnnkit/optim/learning_rate.h"

namespace rnnkit::optim {

/// What an optimizer must restore to resume bit-exactly (Keras's optimizer weights): the step
/// counter and every slot tensor, keyed "<variable name>/<slot name>", e.g.
/// "simple_rnn/simple_rnn_cell/kernel:0/m".
struct OptimizerState {
  std::int64_t iterations = 0;
  std::map<std::string, Tensor> slots;
};

/// A contiguous run of one variable's elements handed to Optimizer::update: `size` values to
/// update in place, their gradients (already clipped), and the same run of each slot, in
/// slot_names() order.
template <class T>
struct UpdateBlock {
  static constexpr std::size_t max_slots = 3;
  T* value = nullptr;
  const T* gradient = nullptr;
  std::array<T*, max_slots> slots{};
  std::int64_t size = 0;
};

/// Base class of the optimizers (Keras optimizer_v2, spec §7). It owns what they share: the
/// learning rate and its schedule and decay, gradient clipping, lazily created slots, the
/// step counter, constraints, and state save/restore; a subclass supplies its slots and the
/// per-element update. Move-only: slots belong to one optimizer.
class Optimizer {
 public:
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  Optimizer(Optimizer&&) noexcept;
  Optimizer& operator=(Optimizer&&) noexcept;

  /// One training step (Keras apply_gradients): every trainable variable's value().grad() is
  /// clipped (clipvalue, then clipnorm per tensor, then global_clipnorm over the list), the
  /// variable updated in place and its constraint applied; variables without a gradient are
  /// skipped; iterations() then advances by one. Allocates only the first time it meets a
  /// variable (its slots).
  void apply(const std::vector<Variable>& variables);

  /// Number of apply() calls so far (Keras `iterations`).
  std::int64_t iterations() const { return iterations_; }
  /// The learning rate the next apply() uses: the schedule at iterations(), divided by
  /// 1 + decay * iterations().
  double learning_rate() const;
  /// The `learning_rate` argument as given: a constant or a schedule.
  const LearningRate& learning_rate_setting() const { return learning_rate_; }
  /// Replaces the learning rate (Keras's `optimizer.learning_rate = ...`, what
  /// LearningRateScheduler does); a negative constant throws std::invalid_argument.
  void set_learning_rate(LearningRate learning_rate);
  std::optional<double> clipnorm() const { return clipnorm_; }
  std::optional<double> clipvalue() const { return clipvalue_; }
  std::optional<double> global_clipnorm() const { return global_clipnorm_; }
  double decay() const { return decay_; }
  /// The optimizer's name (Keras `name`, default the class name).
  const std::string& name() const { return name_; }
  /// Keras class name, e.g. "Adam".
  const std::string& class_name() const { return class_name_; }
  /// Names of the per-variable slots this configuration keeps, e.g. {"m", "v"}.
  virtual std::vector<std::string> slot_names() const = 0;
  /// Keras optimizer_v2 get_config(): "name", then "clipnorm", "clipvalue", "global_clipnorm"
  /// when set; each optimizer appends its arguments in Keras's order. Values are written as
  /// held (Keras prints its hyperparameters as float32 once it has trained, e.g. beta_1
  /// 0.8999999761581421, because it computes with them in float32; rnnkit computes with the
  /// double it was given, so that is what a saved model must restore). A schedule is written as
  /// {"class_name", "config"}; a callable learning rate throws std::invalid_argument.
  virtual Config get_config() const;

  /// A copy of the step counter and of every slot created so far.
  OptimizerState state() const;
  /// Replaces the step counter and slots with `state`, whose slot keys must name `variables`.
  /// A variable may be absent (its slots are created on its first update) but not partly
  /// present. Throws std::invalid_argument on an unknown or missing slot, a wrong shape or an
  /// undefined tensor, leaving the optimizer unchanged. Values are converted to the variable's
  /// dtype.
  void load_state(const OptimizerState& state, const std::vector<Variable>& variables);

 protected:
  /// Keras optimizer_v2 arguments every optimizer shares.
  struct Settings {
    std::string class_name;
    std::string name;
    LearningRate learning_rate;
    std::optional<double> clipnorm = std::nullopt;
    std::optional<double> clipvalue = std::nullopt;
    std::optional<double> global_clipnorm = std::nullopt;
    double decay = 0.0;
  };
  /// The shared arguments out of any optimizer's options struct.
  template <class Options>
  static Settings settings_of(std::string class_name, Options& options) {
    return {.class_name = std::move(class_name),
            .name = std::move(options.name),
            .learning_rate = std::move(options.learning_rate),
            .clipnorm = options.clipnorm,
            .clipvalue = options.clipvalue,
            .global_clipnorm = options.global_clipnorm,
            .decay = options.decay};
  }
  /// Validates `settings`, throwing std::invalid_argument naming class_name and the argument.
  explicit Optimizer(Settings settings);

  /// The learning rate as get_config() writes it: a number or a serialized schedule.
  Config learning_rate_config() const;

  /// Initial value of slot `slot` (index into slot_names()).
  virtual double initial_slot_value(std::size_t slot) const;
  /// Computes the coefficients of the coming step from the step counter before the update and
  /// the learning rate of that step (schedule and decay applied).
  virtual void prepare(std::int64_t iterations, double learning_rate) = 0;
  /// Updates one block of one variable with the coefficients of the last prepare().
  virtual void update(const UpdateBlock<float>& block) = 0;
  virtual void update(const UpdateBlock<double>& block) = 0;

 private:
  struct Slots {
    Variable variable;
    std::vector<Tensor> tensors;
  };
  struct Pending {
    const Variable* variable;
    Slots* slots;
    double gradient_scale;
  };
  double learning_rate_at(std::int64_t step) const;
  Slots& slots_for(const Variable& variable);
  void compute_gradient_scales();
  template <class T>
  void update_variable(const Pending& pending);

  std::string class_name_;
  std::string name_;
  LearningRate learning_rate_;
  std::optional<double> clipnorm_;
  std::optional<double> clipvalue_;
  std::optional<double> global_clipnorm_;
  double decay_ = 0.0;
  std::int64_t iterations_ = 0;
  std::unordered_map<std::uintptr_t, Slots> slots_;
  std::vector<Pending> pending_;
};

}  // namespace rnnkit::optim
