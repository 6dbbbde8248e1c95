#include "rnn_loop.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>
#include <string>

namespace rnnkit::layers::detail {
namespace {

std::string described(const Tensor& tensor) {
  if (!tensor.defined()) return "an undefined tensor";
  return fmt::format("{} {}", dtype_name(tensor.dtype()), shape_str(tensor.shape()));
}

std::string cell_label(const AbstractRNNCell& cell) {
  return fmt::format("{} '{}'", cell.class_name(), cell.name());
}

bool is_tensor_of(const Tensor& tensor, const Shape& shape, DType dtype) {
  return tensor.defined() && tensor.dtype() == dtype && tensor.shape() == shape;
}

bool states_fit(const std::vector<Tensor>& states, const std::vector<std::int64_t>& sizes,
                std::int64_t batch, DType dtype) {
  if (states.size() != sizes.size()) return false;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (!is_tensor_of(states[i], {batch, sizes[i]}, dtype)) return false;
  }
  return true;
}

void check_cell_tensor(std::string_view who, const AbstractRNNCell& cell, std::string_view where,
                       std::string_view what, const Tensor& tensor, const Shape& expected,
                       DType dtype, std::string_view meaning) {
  if (is_tensor_of(tensor, expected, dtype)) return;
  throw std::invalid_argument(fmt::format(
      "{}: the cell {} returned {} {} of {}; expected {} {} ({})", who, cell_label(cell), where,
      what, described(tensor), dtype_name(dtype), shape_str(expected), meaning));
}

}  // namespace

void check_cell_states(std::string_view who, const AbstractRNNCell& cell, std::string_view where,
                       const std::vector<Tensor>& states, std::int64_t batch, DType dtype) {
  const std::vector<std::int64_t> sizes = cell.state_size();
  if (states.size() != sizes.size()) {
    throw std::invalid_argument(
        fmt::format("{}: the cell {} returned {} state tensors {}, but its state_size() lists {}",
                    who, cell_label(cell), states.size(), where, sizes.size()));
  }
  for (std::size_t i = 0; i < states.size(); ++i) {
    check_cell_tensor(who, cell, where, fmt::format("state {}", i), states[i], {batch, sizes[i]},
                      dtype, fmt::format("batch, state_size()[{}]", i));
  }
}

void check_cell_output(std::string_view who, const AbstractRNNCell& cell, std::string_view where,
                       const Tensor& output, const Shape& expected, DType dtype) {
  check_cell_tensor(
      who, cell, where, "an output", output, expected, dtype,
      expected.size() == 3 ? "batch, timesteps, output_size()" : "batch, output_size()");
}

SequenceOutput run_steps(std::string_view who, AbstractRNNCell& cell, const Tensor& inputs,
                         const Tensor& mask, std::vector<Tensor> states,
                         const SequenceOptions& options) {
  const std::int64_t batch = inputs.size(0), time = inputs.size(1);
  // One node splits the prepared sequence, so backward stays O(T) in memory and time.
  const std::vector<Tensor> steps = unstack(cell.prepare_inputs(inputs, options.training), 1);
  const DType dtype = inputs.dtype();
  const Shape output_shape{batch, cell.output_size()};
  const std::vector<std::int64_t> state_sizes = cell.state_size();
  std::vector<Tensor> keep;
  Tensor zeros, output;
  if (mask.defined()) {
    for (const Tensor& column : unstack(mask, 1)) keep.push_back(column.reshape({batch, 1}));
    zeros = Tensor::zeros(output_shape, dtype);
    output = zeros;  // a leading masked step outputs zeros, whatever the initial state
  }
  std::vector<Tensor> outputs;
  if (options.return_sequences) outputs.reserve(static_cast<std::size_t>(time));
  for (std::int64_t k = 0; k < time; ++k) {
    const auto t = static_cast<std::size_t>(options.go_backwards ? time - 1 - k : k);
    CellOutput fresh = cell.step(steps[t], states, options.training);
    if (!is_tensor_of(fresh.output, output_shape, dtype) ||
        !states_fit(fresh.states, state_sizes, batch, dtype)) {
      const std::string at = fmt::format("at step {} (timestep {})", k, t);
      check_cell_output(who, cell, at, fresh.output, output_shape, dtype);
      check_cell_states(who, cell, at, fresh.states, batch, dtype);
    }
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
