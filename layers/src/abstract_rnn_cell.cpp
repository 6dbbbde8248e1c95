#include "rnnkit/layers/abstract_rnn_cell.h"

#include <fmt/format.h>

#include <stdexcept>

#include "checks.h"

namespace rnnkit::layers {

CellOutput AbstractRNNCell::operator()(const Tensor& inputs, const std::vector<Tensor>& states,
                                       bool training) {
  detail::check_float(label(), "inputs", inputs);
  if (inputs.dim() != 2) {
    throw std::invalid_argument(
        fmt::format("{}: argument 'inputs' must be one timestep [batch, features], got shape {}",
                    label(), shape_str(inputs.shape())));
  }
  detail::check_states(label(), "states", states, inputs.size(0), state_size());
  maybe_build(inputs.shape());
  std::vector<Tensor> cast_states;
  for (const Tensor& state : states) cast_states.push_back(state.to(dtype()));
  CellOutput out = call(inputs.to(dtype()), cast_states, training);
  set_call_losses({});
  return out;
}

std::vector<Tensor> AbstractRNNCell::get_initial_state(std::int64_t batch_size, DType dtype) const {
  if (batch_size < 0) {
    throw std::invalid_argument(fmt::format(
        "{}: get_initial_state: argument 'batch_size' must be >= 0, got {}", label(), batch_size));
  }
  if (!is_floating(dtype)) {
    throw std::invalid_argument(
        fmt::format("{}: get_initial_state: argument 'dtype' must be float32 or float64, got {}",
                    label(), dtype_name(dtype)));
  }
  std::vector<Tensor> states;
  for (std::int64_t size : state_size()) states.push_back(Tensor::zeros({batch_size, size}, dtype));
  return states;
}

std::vector<Tensor> AbstractRNNCell::get_initial_state(const Tensor& inputs) const {
  detail::check_float(label(), "inputs", inputs);
  if (inputs.dim() < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: get_initial_state needs inputs with a batch axis, got a 0-d tensor", label()));
  }
  return get_initial_state(inputs.size(0), inputs.dtype());
}

void AbstractRNNCell::maybe_build(const Shape& input_shape) {
  if (built()) return;
  build(input_shape);
  set_built();
}

Tensor AbstractRNNCell::prepare_inputs(const Tensor& inputs, bool) { return inputs; }

CellOutput AbstractRNNCell::step(const Tensor& prepared, const std::vector<Tensor>& states,
                                 bool training) {
  return call(prepared, states, training);
}

std::optional<SequenceOutput> AbstractRNNCell::call_sequence(const Tensor&, const Tensor&,
                                                             const std::vector<Tensor>&,
                                                             const SequenceOptions&) {
  return std::nullopt;
}

}  // namespace rnnkit::layers
