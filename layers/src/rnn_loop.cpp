#include "rnn_loop.h"

#include <rnnkit/framework/ops.h>

namespace rnnkit::layers::detail {

SequenceOutput run_steps(AbstractRNNCell& cell, const Tensor& inputs, const Tensor& mask,
                         std::vector<Tensor> states, const SequenceOptions& options) {
  const std::int64_t batch = inputs.size(0), time = inputs.size(1);
  // One node splits the prepared sequence, so backward stays O(T) in memory and time.
  const std::vector<Tensor> steps = unstack(cell.prepare_inputs(inputs, options.training), 1);
  std::vector<Tensor> keep;
  Tensor zeros, output;
  if (mask.defined()) {
    for (const Tensor& column : unstack(mask, 1)) keep.push_back(column.reshape({batch, 1}));
    zeros = Tensor::zeros({batch, cell.output_size()}, inputs.dtype());
    output = zeros;  // a leading masked step outputs zeros, whatever the initial state
  }
  std::vector<Tensor> outputs;
  if (options.return_sequences) outputs.reserve(static_cast<std::size_t>(time));
  for (std::int64_t k = 0; k < time; ++k) {
    const auto t = static_cast<std::size_t>(options.go_backwards ? time - 1 - k : k);
    CellOutput fresh = cell.step(steps[t], states, options.training);
    if (keep.empty()) {
      output = std::move(fresh.output);
      states = std::move(fresh.states);
    } else {
      // The cell ran on masked rows too; the select discards those results (spec §2.5).
      output = where(keep[t], fresh.output, options.zero_output_for_mask ? zeros : output);
      for (std::size_t i = 0; i < states.size(); ++i) {
        states[i] = where(keep[t], fresh.states[i], states[i]);
      }
    }
    if (options.return_sequences) outputs.push_back(output);
  }
  return {.sequence = options.return_sequences ? stack(outputs, 1) : Tensor(),
          .last_output = output,
          .states = std::move(states)};
}

Tensor swap_leading_axes(const Tensor& x) { return stack(unstack(x, 0), 1); }

}  // namespace rnnkit::layers::detail
