#pragma once

#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/abstract_rnn_cell.h>
#include <rnnkit/layers/layer.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace rnnkit::layers {

/// Keras RNN arguments besides the cell, in Keras order (spec §2.1), then the base-layer
/// keywords. The layer's dtype is its cell's.
struct RNNOptions {
  bool return_sequences = false;      ///< the whole output sequence instead of the last output
  bool return_state = false;          ///< also return the final states
  bool go_backwards = false;          ///< process the sequence last-to-first (not flipped back)
  bool stateful = false;              ///< keep the final states as the next call's initial states
  bool unroll = false;                ///< always step through the timesteps one op at a time
  bool time_major = false;            ///< inputs [T, B, F], sequence output [T, B, U], mask [T, B]
  bool zero_output_for_mask = false;  ///< masked steps output zeros instead of carrying
  regularizers::AnyRegularizer activity_regularizer = nullptr;
  std::string name = {};
  bool trainable = true;
};

/// Arguments of an RNN call besides the inputs (Keras call(inputs, mask, training,
/// initial_state)).
struct RNNCallOptions {
  /// [B, T] ([T, B] when time_major): non-zero keeps a timestep; any dtype; undefined: no mask.
  Tensor mask = {};
  /// Dropout runs only in training; the default is inference, as for a plain Keras call.
  bool training = false;
  /// One [B, size] tensor per state; empty: zeros (or, when stateful, the kept state).
  std::vector<Tensor> initial_state = {};
};

/// The result of an RNN call (spec §2.3): `output` is the last output [B, U], or the whole
/// sequence [B, T, U] with return_sequences; `states` holds the final states with return_state
/// and is empty otherwise. Unpack it like Keras's list, `auto [sequence, state] = rnn(x);`, or,
/// without return_state, convert it: `Tensor y = rnn(x);`.
struct RNNOutput {
  Tensor output = {};
  std::vector<Tensor> states = {};

  /// `output`; std::logic_error when states were returned too (unpack the result instead).
  operator Tensor() const;  // NOLINT: implicit, so `Tensor y = rnn(x)` reads like Keras
  /// get<0>() is the output, get<1>() the first final state (std::logic_error without one).
  template <std::size_t I>
  Tensor get() const {
    if constexpr (I == 0) {
      return output;
    } else {
      return state(I - 1);
    }
  }

 private:
  Tensor state(std::size_t index) const;
};

/// Keras RNN: runs any AbstractRNNCell over a sequence [B, T, F] with masks (spec §2.5),
/// go_backwards, stateful carry, initial states, return_sequences / return_state, dropout in
/// training, and the activity regularizer. Cells that offer a whole-sequence hook run unmasked
/// sequences through it (unless unroll); otherwise one step per timestep. A move-only value.
class RNN : public Layer {
 public:
  template <std::derived_from<AbstractRNNCell> Cell>
  explicit RNN(Cell cell, RNNOptions options = {})
      : RNN(std::make_unique<Cell>(std::move(cell)), std::move(options), "rnn") {}
  explicit RNN(std::unique_ptr<AbstractRNNCell> cell, RNNOptions options = {});

  std::string class_name() const override { return "RNN"; }
  /// Keras get_config(): name, trainable, dtype, return_sequences, return_state, go_backwards,
  /// stateful, unroll, time_major, zero_output_for_mask (only when true), then "cell":
  /// {"class_name", "config"} (spec §10). Keras's RNN config loses an activity_regularizer; rnnkit
  /// writes it before "cell" when one is set.
  Config get_config() const override;
  /// The inverse of get_config(): "cell" is required and rebuilt with layers::deserialize (it
  /// must be an RNN cell); the layer's "dtype" must be the cell's. Absent keys take the
  /// defaults, "num_constants" may only be 0 (rnnkit has no constants), the legacy
  /// "implementation" is dropped, and any other key throws std::invalid_argument.
  static RNN from_config(const Config& config);

  /// Runs the layer on `inputs` [B, T, F] ([T, B, F] when time_major). Every argument is checked
  /// before any state changes (std::invalid_argument naming the layer, the argument, what was
  /// expected and what was given); builds the cell on first use. What the cell returns (its
  /// initial states, each step's output and states) is checked against its output_size() and
  /// state_size(): std::invalid_argument naming the cell, the step, the expected and the given
  /// shapes, with the kept states and losses() unchanged.
  RNNOutput operator()(const Tensor& inputs, const RNNCallOptions& options = {});
  /// Model form: outputs are [output, states...], the mask handed on is the input mask with
  /// return_sequences and none otherwise.
  LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;
  /// Functional form: inputs[0] is the sequence, any further tensors are its initial_state;
  /// masks[0] is the sequence's mask. The output carries the input mask with return_sequences;
  /// the states carry none (Keras compute_mask).
  CallOutput forward_inputs(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                            bool training) override;

  /// Creates the weights for inputs of `input_shape` ([B, T, F], or [T, B, F] when time_major)
  /// without running the layer, as Keras's build(input_shape) does, so set_weights can come
  /// before the first call. B and T may be -1 (Keras's None; the cell's build then sees a batch
  /// of -1), except that a stateful layer takes its batch size from here and needs it. Throws
  /// std::invalid_argument for a shape that is not rank 3, has another size below 1, or differs
  /// from the one the layer was already built for.
  void build(const Shape& input_shape);
  bool built() const override;
  AbstractRNNCell& cell() { return *cell_; }
  const AbstractRNNCell& cell() const { return *cell_; }
  bool return_sequences() const { return options_.return_sequences; }
  bool return_state() const { return options_.return_state; }
  bool go_backwards() const { return options_.go_backwards; }
  bool stateful() const override { return options_.stateful; }
  bool unroll() const { return options_.unroll; }
  bool time_major() const { return options_.time_major; }
  bool zero_output_for_mask() const { return options_.zero_output_for_mask; }
  const regularizers::AnyRegularizer& activity_regularizer() const {
    return options_.activity_regularizer;
  }
  /// The kept states of a stateful layer (one per cell state); undefined tensors when the layer
  /// is not stateful or not built (Keras `states`).
  std::vector<Tensor> states() const;

  /// Zeroes the kept states (spec §2.7): std::logic_error when not stateful,
  /// std::invalid_argument while the batch size is unknown (not built yet).
  void reset_states() override;
  /// Sets the kept states to `states` (one [B, size] float tensor per state), checking them all
  /// first: std::invalid_argument naming the expected and the found shapes.
  void reset_states(const std::vector<Tensor>& states);

 protected:
  RNN(std::unique_ptr<AbstractRNNCell> cell, RNNOptions options, std::string_view default_name);
  /// Layer::get_config() followed by the RNN keys, up to zero_output_for_mask.
  Config rnn_config() const;
  std::vector<Layer*> sublayers() const override { return {cell_.get()}; }

 private:
  struct InputDims;
  struct PreparedCall;
  /// The sizes of inputs of `shape`, checked against the layer; `for_build` admits -1.
  InputDims checked_input_dims(const Shape& shape, bool for_build) const;
  PreparedCall prepare_call(const Tensor& inputs, const RNNCallOptions& options) const;
  void build_for(std::int64_t batch, std::int64_t features);
  std::vector<Tensor> initial_states(const PreparedCall& call) const;
  /// The cell's get_initial_state(batch, dtype()), checked against its state_size().
  std::vector<Tensor> cell_initial_state(std::int64_t batch) const;
  /// Throws std::invalid_argument unless a call_sequence result has the promised shapes.
  void check_sequence_output(const SequenceOutput& run, const PreparedCall& call) const;
  std::vector<Tensor> activity_losses(const RNNOutput& result) const;
  void check_stateful_batch_known(std::string_view what) const;

  std::unique_ptr<AbstractRNNCell> cell_;
  RNNOptions options_;
  std::int64_t input_features_ = 0;  ///< F, recorded at build (0 before)
  std::int64_t batch_size_ = 0;      ///< B of a stateful layer, recorded at build
  std::vector<Tensor> kept_states_;  ///< stateful only; replaced, never written in place
};

}  // namespace rnnkit::layers

template <>
struct std::tuple_size<rnnkit::layers::RNNOutput> : std::integral_constant<std::size_t, 2> {};
template <std::size_t I>
struct std::tuple_element<I, rnnkit::layers::RNNOutput> {
  using type = rnnkit::Tensor;
};
