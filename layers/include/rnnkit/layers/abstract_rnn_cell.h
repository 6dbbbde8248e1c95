#pragma once

#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace rnnkit::layers {

/// One step of a cell: the output [B, output_size] and the new states (Keras's
/// `(output, new_states)`).
struct CellOutput {
  Tensor output = {};
  std::vector<Tensor> states = {};
};

/// A whole sequence run by a cell at once (AbstractRNNCell::call_sequence).
struct SequenceOutput {
  Tensor sequence = {};             ///< [B, T, output_size], in processing order; may be left
                                    ///< undefined when the caller did not ask for it
  Tensor last_output = {};          ///< [B, output_size], the output of the last processed step
  std::vector<Tensor> states = {};  ///< the states after the last step
};

/// How RNN runs one call's sequence through its cell.
struct SequenceOptions {
  bool go_backwards = false;
  bool zero_output_for_mask = false;
  bool return_sequences = false;
  bool training = false;
};

/// What layers::RNN runs (Keras AbstractRNNCell): a layer with state_size, output_size, build and
/// a one-step call. Subclass it, add weights with add_weight() in build(), and any RNN option
/// (masks, go_backwards, stateful, ...) works with the cell. The hooks at the end are optional
/// speed-ups a cell may override; RNN's meaning never depends on them.
class AbstractRNNCell : public Layer {
 public:
  /// Width of each state tensor, [B, size] (Keras state_size).
  virtual std::vector<std::int64_t> state_size() const = 0;
  /// Width of the output (Keras output_size).
  virtual std::int64_t output_size() const = 0;
  /// Creates the weights for per-step inputs of `input_shape` [B, F] (Keras build); B is -1
  /// (Keras's None) when RNN::build was given no batch size.
  virtual void build(const Shape& input_shape) = 0;
  /// One step: inputs [B, F] and states -> output [B, output_size()] and one new [B, size] state
  /// per state_size() entry, in the cell's dtype (Keras call). RNN calls it once per timestep
  /// through step() and refuses, naming the cell and the step, whatever breaks that contract.
  virtual CellOutput call(const Tensor& inputs, const std::vector<Tensor>& states,
                          bool training) = 0;

  /// Calls the cell directly (Keras cell(inputs, states, training)): checks that `inputs` is
  /// [B, F] and `states` matches state_size(), builds on first use, runs call(), and records
  /// losses(). Throws std::invalid_argument before any state changes.
  CellOutput operator()(const Tensor& inputs, const std::vector<Tensor>& states,
                        bool training = false);
  /// Zero states [batch_size, size] of `dtype`, one per state (Keras get_initial_state);
  /// std::invalid_argument for a negative batch_size or a dtype other than float32 or float64.
  /// An override must return one [batch_size, size] tensor of `dtype` per state (RNN checks).
  virtual std::vector<Tensor> get_initial_state(std::int64_t batch_size, DType dtype) const;
  /// Zero states with the batch size (axis 0) and dtype of `inputs`.
  std::vector<Tensor> get_initial_state(const Tensor& inputs) const;
  /// build(input_shape) unless already built.
  void maybe_build(const Shape& input_shape);

  // --- hooks RNN uses ---
  /// Called by RNN at the start of every layer call; Keras resets the dropout-mask caches here.
  virtual void reset_dropout_masks() {}
  /// Transforms the whole input sequence [B, T, F] once before the loop (e.g. the input
  /// projection of every timestep in one matmul); step() then receives its [B, *] time slices.
  /// Default: unchanged.
  virtual Tensor prepare_inputs(const Tensor& inputs, bool training);
  /// One step on a time slice of prepare_inputs(). Default: call().
  virtual CellOutput step(const Tensor& prepared, const std::vector<Tensor>& states, bool training);
  /// Optionally runs an entire sequence [B, T, F] (already in batch-major order) from
  /// `initial_states`, reversed in time first when `go_backwards`, with `mask` [B, T] bool (or
  /// undefined) meaning what it means to the step loop (spec §2.5); returns nothing to let RNN
  /// loop over step(). Without `return_sequences` only the last output and the states are
  /// used. Default: nothing.
  virtual std::optional<SequenceOutput> call_sequence(const Tensor& inputs, const Tensor& mask,
                                                      const std::vector<Tensor>& initial_states,
                                                      const SequenceOptions& options);

 protected:
  using Layer::Layer;
};

}  // namespace rnnkit::layers
