#pragma once

#include <rnnkit/framework/activations.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/layers/rnn.h>
#include <rnnkit/layers/simple_rnn_cell.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rnnkit::layers {

/// Keras SimpleRNN arguments in Keras order (spec §2.1): the cell's, activity_regularizer, the
/// RNN flags, `seed` (of the dropout masks, where Keras 3 puts it; unset: drawn from the global
/// seed), then the RNN keywords Keras takes through **kwargs (time_major, zero_output_for_mask)
/// and the base-layer keywords.
struct SimpleRNNOptions {
  std::int64_t units = 0;
  rnnkit::Activation activation = "tanh";
  bool use_bias = true;
  initializers::AnyInitializer kernel_initializer = "glorot_uniform";
  initializers::AnyInitializer recurrent_initializer = "orthogonal";
  initializers::AnyInitializer bias_initializer = "zeros";
  regularizers::AnyRegularizer kernel_regularizer = nullptr;
  regularizers::AnyRegularizer recurrent_regularizer = nullptr;
  regularizers::AnyRegularizer bias_regularizer = nullptr;
  regularizers::AnyRegularizer activity_regularizer = nullptr;
  constraints::AnyConstraint kernel_constraint = nullptr;
  constraints::AnyConstraint recurrent_constraint = nullptr;
  constraints::AnyConstraint bias_constraint = nullptr;
  double dropout = 0.0;            ///< input dropout rate, in [0, 1)
  double recurrent_dropout = 0.0;  ///< recurrent dropout rate, in [0, 1)
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool stateful = false;
  bool unroll = false;
  std::optional<std::uint64_t> seed = std::nullopt;
  bool time_major = false;
  bool zero_output_for_mask = false;
  std::string name = {};
  DType dtype = DType::f32;
  bool trainable = true;
};

/// Keras SimpleRNN: an RNN over one SimpleRNNCell built from the same options (the cell takes
/// the layer's dtype and trainable). Call it as `rnn(x)` or
/// `rnn(x, {.mask = m, .training = true, .initial_state = {h0}})` with x [B, T, F]; see RNN and
/// RNNOutput for what it returns.
///
///     layers::SimpleRNN rnn({.units = 4, .return_sequences = true, .return_state = true});
///     auto [sequence, state] = rnn(x);   // [32, 10, 4], [32, 4]
class SimpleRNN : public RNN {
 public:
  explicit SimpleRNN(SimpleRNNOptions options);
  /// SimpleRNN(4, {...}) reads like Keras's SimpleRNN(4, ...); `options.units` must then be
  /// unset (0) or equal.
  explicit SimpleRNN(std::int64_t units, SimpleRNNOptions options = {});

  std::string class_name() const override { return "SimpleRNN"; }
  /// Keras get_config(): name, trainable, dtype, the RNN keys (return_sequences ... time_major,
  /// zero_output_for_mask only when true), then the cell's arguments with activity_regularizer
  /// after bias_regularizer; no "cell" key (spec §10). "seed" comes last, only when one was
  /// given (an rnnkit addition). A user function throws std::invalid_argument naming the key.
  Config get_config() const override;
  /// The inverse of get_config(): "units" is required, absent keys take the defaults, Keras's
  /// legacy "implementation" and its no-op "enable_caching_device" are dropped, and any other
  /// key throws std::invalid_argument, as Keras's constructor rejects unknown keywords.
  static SimpleRNN from_config(const Config& config);

  SimpleRNNCell& cell() { return static_cast<SimpleRNNCell&>(RNN::cell()); }
  const SimpleRNNCell& cell() const { return static_cast<const SimpleRNNCell&>(RNN::cell()); }
  std::int64_t units() const { return cell().units(); }
  const rnnkit::Activation& activation() const { return cell().activation(); }
  bool use_bias() const { return cell().use_bias(); }
  const initializers::AnyInitializer& kernel_initializer() const {
    return cell().kernel_initializer();
  }
  const initializers::AnyInitializer& recurrent_initializer() const {
    return cell().recurrent_initializer();
  }
  const initializers::AnyInitializer& bias_initializer() const { return cell().bias_initializer(); }
  const regularizers::AnyRegularizer& kernel_regularizer() const {
    return cell().kernel_regularizer();
  }
  const regularizers::AnyRegularizer& recurrent_regularizer() const {
    return cell().recurrent_regularizer();
  }
  const regularizers::AnyRegularizer& bias_regularizer() const { return cell().bias_regularizer(); }
  const constraints::AnyConstraint& kernel_constraint() const { return cell().kernel_constraint(); }
  const constraints::AnyConstraint& recurrent_constraint() const {
    return cell().recurrent_constraint();
  }
  const constraints::AnyConstraint& bias_constraint() const { return cell().bias_constraint(); }
  double dropout() const { return cell().dropout(); }
  double recurrent_dropout() const { return cell().recurrent_dropout(); }
};

}  // namespace rnnkit::layers
