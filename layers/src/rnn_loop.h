#pragma once

// The per-step recurrence of backend.rnn (spec §3): what RNN runs when a cell offers no
// whole-sequence path, or when a mask or unroll rules it out.

#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/abstract_rnn_cell.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace rnnkit::layers::detail {

/// Throws std::invalid_argument unless `states` holds one `dtype` tensor [batch, size] per entry
/// of the cell's state_size(). `who` is the RNN's label, `where` says which call of the cell
/// returned them (e.g. "at step 3 (timestep 3)").
void check_cell_states(std::string_view who, const AbstractRNNCell& cell, std::string_view where,
                       const std::vector<Tensor>& states, std::int64_t batch, DType dtype);
/// The same for an output, which must be a `dtype` tensor of `expected` shape.
void check_cell_output(std::string_view who, const AbstractRNNCell& cell, std::string_view where,
                       const Tensor& output, const Shape& expected, DType dtype);

/// Runs `cell` over `inputs` [B, T, F] from `states`, with `mask` [B, T] bool (or undefined)
/// applied as in spec §2.5, checking what each step returns. The sequence is left undefined
/// unless return_sequences. `who` is the RNN's label.
SequenceOutput run_steps(std::string_view who, AbstractRNNCell& cell, const Tensor& inputs,
                         const Tensor& mask, std::vector<Tensor> states,
                         const SequenceOptions& options);

/// [A, B, ...] -> [B, A, ...] (time-major <-> batch-major), differentiable.
Tensor swap_leading_axes(const Tensor& x);

}  // namespace rnnkit::layers::detail
