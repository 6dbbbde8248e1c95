#include "graph.h"

#include <fmt/format.h>
#include <rnnkit/framework/autograd.h>
#include <rnnkit/models/input.h>

#include <atomic>
#include <stdexcept>

namespace rnnkit::models {
namespace {

std::atomic<std::uint64_t> next_sequence{0};

// Zeros of `shape` with every unknown size set to `unknown`.
Tensor probe_tensor(const Shape& shape, DType dtype, std::int64_t unknown) {
  Shape concrete = shape;
  for (std::int64_t& size : concrete) {
    if (size < 0) size = unknown;
  }
  return Tensor::zeros(concrete, dtype);
}

std::string shapes_text(const std::vector<SymbolicTensor>& tensors) {
  std::string out;
  for (const SymbolicTensor& tensor : tensors) {
    out += (out.empty() ? "" : ", ") + shape_str(tensor.shape());
  }
  return out;
}

// One inference run of `layer` on zeros, unknown sizes set to `unknown`.
layers::CallOutput probe(layers::Layer& layer, const std::vector<SymbolicTensor>& inputs,
                         std::int64_t unknown) {
  std::vector<Tensor> values;
  for (const SymbolicTensor& input : inputs) {
    values.push_back(probe_tensor(input.shape(), input.dtype(), unknown));
  }
  NoGradGuard no_grad;
  return layer.forward_inputs(values, std::vector<Tensor>(values.size()), false);
}

}  // namespace

const Shape& SymbolicTensor::shape() const { return node_->output_shapes.at(index_); }
DType SymbolicTensor::dtype() const { return node_->output_dtypes.at(index_); }
const std::string& SymbolicTensor::layer_name() const { return node_->name(); }
std::string SymbolicTensor::name() const {
  return index_ == 0 ? layer_name() : fmt::format("{}:{}", layer_name(), index_);
}

SymbolicTensor Input(Shape shape, InputOptions options) {
  const std::string what = fmt::format("Input '{}'", options.name);
  for (std::int64_t size : shape) {
    if (size < -1 || size == 0) {
      throw std::invalid_argument(fmt::format(
          "{}: shape must hold sizes >= 1 or -1 (unknown), given {}", what, shape_str(shape)));
    }
  }
  if (options.batch_size < 0) {
    throw std::invalid_argument(fmt::format(
        "{}: batch_size must be >= 1, or 0 for unknown, given {}", what, options.batch_size));
  }
  if (options.dtype != DType::f32 && options.dtype != DType::f64 && options.dtype != DType::i64) {
    throw std::invalid_argument(fmt::format("{}: dtype must be float32, float64 or int64, given {}",
                                            what, dtype_name(options.dtype)));
  }
  auto node = std::make_shared<detail::GraphNode>();
  if (options.name.empty()) {
    // Keras numbers inputs from 1: input_1, input_2, ...
    options.name = layers::unique_layer_name("input");
    if (options.name == "input") options.name = layers::unique_layer_name("input");
  }
  node->input_name = std::move(options.name);
  shape.insert(shape.begin(), options.batch_size == 0 ? -1 : options.batch_size);
  node->output_shapes = {std::move(shape)};
  node->output_dtypes = {options.dtype};
  node->sequence = next_sequence++;
  return SymbolicTensor(std::move(node), 0);
}

SymbolicOutputs::operator SymbolicTensor() const {
  if (tensors_.size() != 1) {
    throw std::logic_error(fmt::format(
        "the layer call gave {} symbolic tensors, not one; unpack them (auto [a, b] = ...)",
        tensors_.size()));
  }
  return tensors_[0];
}

const SymbolicTensor& SymbolicOutputs::operator[](std::size_t i) const {
  if (i >= tensors_.size()) {
    throw std::out_of_range(
        fmt::format("the layer call gave {} symbolic tensors, asked for #{}", tensors_.size(), i));
  }
  return tensors_[i];
}

SymbolicOutputs detail::call_symbolic(const std::shared_ptr<layers::Layer>& layer,
                                      std::vector<SymbolicTensor> inputs,
                                      const SymbolicCallOptions& options) {
  if (inputs.empty()) {
    throw std::invalid_argument(fmt::format(
        "calling layer '{}' on symbolic tensors: no input tensor given", layer->name()));
  }
  const std::size_t call_inputs = inputs.size();
  inputs.insert(inputs.end(), options.initial_state.begin(), options.initial_state.end());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) {
      throw std::invalid_argument(fmt::format(
          "calling layer '{}' on symbolic tensors: tensor #{} is undefined (expected the result "
          "of Input or of a layer call)",
          layer->name(), i));
    }
  }
  const bool was_built = layer->built();
  layers::CallOutput first;
  layers::CallOutput second;
  try {
    first = probe(*layer, inputs, 2);
    second = probe(*layer, inputs, 3);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(
        fmt::format("calling layer '{}' on symbolic tensors of shapes {}: {}", layer->name(),
                    shapes_text(inputs), error.what()));
  }
  if (layer->stateful() && (was_built || layer->built())) layer->reset_states();
  auto node = std::make_shared<detail::GraphNode>();
  node->layer = layer;
  node->call_inputs = call_inputs;
  for (std::size_t i = 0; i < first.outputs.size(); ++i) {
    Shape shape = first.outputs[i].shape();
    const Shape& other = second.outputs[i].shape();
    for (std::size_t axis = 0; axis < shape.size(); ++axis) {
      if (shape[axis] != other[axis]) shape[axis] = -1;
    }
    node->output_shapes.push_back(std::move(shape));
    node->output_dtypes.push_back(first.outputs[i].dtype());
  }
  node->inputs = std::move(inputs);
  node->sequence = next_sequence++;
  std::vector<SymbolicTensor> outputs;
  for (std::size_t i = 0; i < node->output_shapes.size(); ++i) outputs.emplace_back(node, i);
  return SymbolicOutputs(std::move(outputs));
}

}  // namespace rnnkit::models
