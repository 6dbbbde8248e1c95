#pragma once

// The per-step recurrence of backend.rnn (spec §3): what RNN runs when a cell offers no
// whole-sequence path, or when a mask or unroll rules it out.

#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/abstract_rnn_cell.h>

#include <vector>

namespace rnnkit::layers::detail {

/// Runs `cell` over `inputs` [B, T, F] from `states`, with `mask` [B, T] bool (or undefined)
/// applied as in spec §2.5. The sequence is left undefined unless return_sequences.
SequenceOutput run_steps(AbstractRNNCell& cell, const Tensor& inputs, const Tensor& mask,
                         std::vector<Tensor> states, const SequenceOptions& options);

/// [A, B, ...] -> [B, A, ...] (time-major <-> batch-major), differentiable.
Tensor swap_leading_axes(const Tensor& x);

}  // namespace rnnkit::layers::detail
