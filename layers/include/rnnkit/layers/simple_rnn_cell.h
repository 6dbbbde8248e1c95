#pragma once

#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/layers/abstract_rnn_cell.h>
#include <rnnkit/layers/dropout_mask.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnnkit::layers {

namespace detail {
struct RightPadding;
}

/// Keras SimpleRNNCell arguments, in Keras order (spec §1.1), then `seed` (of the dropout masks;
/// unset: drawn from the global seed) and the base-layer keywords.
struct SimpleRNNCellOptions {
  std::int64_t units = 0;
  rnnkit::Activation activation = "tanh";
  bool use_bias = true;
  initializers::AnyInitializer kernel_initializer = "glorot_uniform";
  initializers::AnyInitializer recurrent_initializer = "orthogonal";
  initializers::AnyInitializer bias_initializer = "zeros";
  regularizers::AnyRegularizer kernel_regularizer = nullptr;
  regularizers::AnyRegularizer recurrent_regularizer = nullptr;
  regularizers::AnyRegularizer bias_regularizer = nullptr;
  constraints::AnyConstraint kernel_constraint = nullptr;
  constraints::AnyConstraint recurrent_constraint = nullptr;
  constraints::AnyConstraint bias_constraint = nullptr;
  double dropout = 0.0;            ///< input dropout rate, in [0, 1)
  double recurrent_dropout = 0.0;  ///< recurrent dropout rate, in [0, 1)
  std::optional<std::uint64_t> seed = std::nullopt;
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras SimpleRNNCell: one step out = act((x ⊙ m_x)·kernel + bias + (h ⊙ m_h)·recurrent_kernel),
/// new state = out (spec §1.3). Weights kernel [F, U], recurrent_kernel [U, U], bias [U] (when
/// use_bias), built from the first input. Dropout masks follow Keras's DropoutRNNCellMixin
/// (spec §1.4). Inside layers::RNN it runs the whole sequence on the fused oneDNN op when it can
/// (float32, built-in tanh/relu/sigmoid, no mask, no recurrent dropout in training, no unroll),
/// else step by step after one input projection for all timesteps; both mean the same.
class SimpleRNNCell : public AbstractRNNCell {
 public:
  explicit SimpleRNNCell(SimpleRNNCellOptions options);
  /// SimpleRNNCell(4, {...}) reads like Keras's SimpleRNNCell(4, ...); `options.units` must then
  /// be unset (0) or equal.
  SimpleRNNCell(std::int64_t units, SimpleRNNCellOptions options = {});

  std::string class_name() const override { return "SimpleRNNCell"; }
  /// Keras get_config(): name, trainable, dtype, then units, activation, use_bias, the three
  /// initializers, regularizers and constraints, dropout, recurrent_dropout (spec §10), then
  /// "seed" only when one was given (an rnnkit addition). A user-function activation,
  /// initializer, regularizer or constraint throws std::invalid_argument naming the key.
  Config get_config() const override;
  /// The inverse of get_config(): "units" is required, absent keys take the defaults, Keras's
  /// legacy "implementation" and its no-op "enable_caching_device" are dropped, and any other
  /// key throws std::invalid_argument, as Keras's constructor rejects unknown keywords.
  static SimpleRNNCell from_config(const Config& config);

  std::int64_t units() const { return options_.units; }
  const rnnkit::Activation& activation() const { return options_.activation; }
  bool use_bias() const { return options_.use_bias; }
  const initializers::AnyInitializer& kernel_initializer() const {
    return options_.kernel_initializer;
  }
  const initializers::AnyInitializer& recurrent_initializer() const {
    return options_.recurrent_initializer;
  }
  const initializers::AnyInitializer& bias_initializer() const { return options_.bias_initializer; }
  const regularizers::AnyRegularizer& kernel_regularizer() const {
    return options_.kernel_regularizer;
  }
  const regularizers::AnyRegularizer& recurrent_regularizer() const {
    return options_.recurrent_regularizer;
  }
  const regularizers::AnyRegularizer& bias_regularizer() const { return options_.bias_regularizer; }
  const constraints::AnyConstraint& kernel_constraint() const { return options_.kernel_constraint; }
  const constraints::AnyConstraint& recurrent_constraint() const {
    return options_.recurrent_constraint;
  }
  const constraints::AnyConstraint& bias_constraint() const { return options_.bias_constraint; }
  double dropout() const { return options_.dropout; }
  double recurrent_dropout() const { return options_.recurrent_dropout; }
  /// The seed of the dropout masks, if one was given.
  std::optional<std::uint64_t> seed() const { return options_.seed; }

  /// [F, U]; undefined before build.
  const Variable& kernel() const { return kernel_; }
  /// [U, U]; undefined before build.
  const Variable& recurrent_kernel() const { return recurrent_kernel_; }
  /// [U]; undefined before build or without use_bias.
  const Variable& bias() const { return bias_; }

  std::vector<std::int64_t> state_size() const override { return {options_.units}; }
  std::int64_t output_size() const override { return options_.units; }
  void build(const Shape& input_shape) override;
  /// inputs [B, F], states {h [B, U]} -> (out, {out}).
  CellOutput call(const Tensor& inputs, const std::vector<Tensor>& states, bool training) override;

  /// The cached input-dropout masks, shaped like `inputs` (made on first use after a reset:
  /// inverted dropout when `training`, ones otherwise); empty when dropout is 0 (Keras None).
  std::vector<Tensor> get_dropout_mask_for_cell(const Tensor& inputs, bool training, int count = 1);
  /// The same for recurrent dropout, shaped like the previous output `inputs` [B, U].
  std::vector<Tensor> get_recurrent_dropout_mask_for_cell(const Tensor& inputs, bool training,
                                                          int count = 1);
  void reset_dropout_mask();
  void reset_recurrent_dropout_mask();

  void reset_dropout_masks() override;
  /// Input dropout, then x·kernel + bias for every timestep at once: [B, T, F] -> [B, T, U]
  /// (also [B, F] -> [B, U]).
  Tensor prepare_inputs(const Tensor& inputs, bool training) override;
  CellOutput step(const Tensor& prepared, const std::vector<Tensor>& states,
                  bool training) override;
  /// The whole sequence in one autograd node when the activation is "tanh", "relu" or
  /// "sigmoid": the fused oneDNN RNN for float32 without recurrent dropout in training and with
  /// no mask or one whose rows, in processing order, are each a run of real steps then padding;
  /// otherwise (masks with holes, recurrent dropout, float64) stepped_simple_rnn.
  std::optional<SequenceOutput> call_sequence(const Tensor& inputs, const Tensor& mask,
                                              const std::vector<Tensor>& initial_states,
                                              const SequenceOptions& options) override;

 private:
  /// `inputs` times the cached input mask, or `inputs` itself when no multiply is needed.
  Tensor apply_input_dropout(const Tensor& inputs, bool training);
  SequenceOutput run_fused(const Tensor& inputs, const Tensor& initial_state,
                           const SequenceOptions& options, const detail::RightPadding* padding);
  SequenceOutput run_stepped(const Tensor& inputs, const Tensor& mask, const Tensor& initial_state,
                             const SequenceOptions& options);

  SimpleRNNCellOptions options_;
  Generator generator_;
  DropoutMaskCache dropout_mask_;
  DropoutMaskCache recurrent_dropout_mask_;
  Variable kernel_;
  Variable recurrent_kernel_;
  Variable bias_;
};

}  // namespace rnnkit::layers
