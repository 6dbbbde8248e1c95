#include "rnnkit/models/sequential.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <unordered_set>

#include "models/compiled.h"
#include "rnnkit/framework/autograd.h"

namespace rnnkit::models {
namespace {

std::string shape_text(const Shape& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += shape[i] < 0 ? std::string("None") : std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

// 1234567 -> "1,234,567", as Keras's summary prints counts.
std::string grouped(std::int64_t count) {
  std::string digits = std::to_string(count);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

// Every layer's `list()`, joined in model order.
template <class T>
std::vector<T> joined(const std::vector<std::unique_ptr<layers::Layer>>& layers,
                      std::vector<T> (layers::Layer::*list)() const) {
  std::vector<T> result;
  for (const auto& layer : layers) {
    std::vector<T> part = ((*layer).*list)();
    result.insert(result.end(), std::make_move_iterator(part.begin()),
                  std::make_move_iterator(part.end()));
  }
  return result;
}

}  // namespace

Sequential::Sequential(std::string name)
    : name_(name.empty() ? layers::unique_layer_name("sequential") : std::move(name)) {}
Sequential::Sequential(Sequential&&) noexcept = default;
Sequential& Sequential::operator=(Sequential&&) noexcept = default;
Sequential::~Sequential() = default;

layers::Layer& Sequential::add(std::unique_ptr<layers::Layer> layer) {
  if (!layer)
    throw std::invalid_argument(fmt::format("Sequential '{}': add: the layer is null", name_));
  for (const auto& existing : layers_) {
    if (existing->name() == layer->name()) {
      throw std::invalid_argument(fmt::format(
          "Sequential '{}': add: a layer named '{}' is already in the model (layer names must be "
          "unique)",
          name_, layer->name()));
    }
  }
  layers_.push_back(std::move(layer));
  built_ = false;  // the next build or call learns the new output shapes
  output_shapes_.clear();
  return *layers_.back();
}

void Sequential::pop() {
  if (layers_.empty()) {
    throw std::logic_error(fmt::format("Sequential '{}': pop: the model has no layers", name_));
  }
  layers_.pop_back();
  built_ = false;
  output_shapes_.clear();
}

layers::Layer& Sequential::layer(std::size_t index) const {
  if (index >= layers_.size()) {
    throw std::out_of_range(
        fmt::format("Sequential '{}': layer index {} is out of range (the "
                    "model has {} layers)",
                    name_, index, layers_.size()));
  }
  return *layers_[index];
}

layers::Layer& Sequential::get_layer(std::string_view name) const {
  std::string names;
  for (const auto& layer : layers_) {
    if (layer->name() == name) return *layer;
    names += (names.empty() ? "" : ", ") + layer->name();
  }
  throw std::invalid_argument(
      fmt::format("Sequential '{}': no layer named '{}'; the layers are: {}", name_, name,
                  names.empty() ? "none" : names));
}

std::vector<layers::Layer*> Sequential::layers() const {
  std::vector<layers::Layer*> result;
  for (const auto& layer : layers_) result.push_back(layer.get());
  return result;
}

void Sequential::build(const Shape& input_shape, std::int64_t batch_size) {
  if (layers_.empty()) {
    throw std::logic_error(fmt::format("Sequential '{}': build: the model has no layers", name_));
  }
  if (batch_size < 0) {
    throw std::invalid_argument(
        fmt::format("Sequential '{}': build: batch_size must be >= 0 (0 leaves it open), got {}",
                    name_, batch_size));
  }
  if (std::any_of(input_shape.begin(), input_shape.end(),
                  [](std::int64_t size) { return size < -1; })) {
    throw std::invalid_argument(
        fmt::format("Sequential '{}': build: input_shape sizes must be >= 0, or -1 for an unknown "
                    "size, got {}",
                    name_, shape_str(input_shape)));
  }
  if (has_stateful_layer() && batch_size == 0) {
    throw std::invalid_argument(
        fmt::format("Sequential '{}': build: a stateful layer needs a fixed batch size; call "
                    "build(input_shape, batch_size)",
                    name_));
  }
  if (built_ && input_shape == input_shape_ && batch_size == batch_size_) return;
  std::vector<bool> was_built;
  for (const auto& layer : layers_) was_built.push_back(layer->built());
  // Unknown sizes (-1, Keras's None) are 1 for the pass that builds the layers.
  Shape shape = input_shape;
  std::replace_if(
      shape.begin(), shape.end(), [](std::int64_t size) { return size < 0; }, 1);
  shape.insert(shape.begin(), batch_size > 0 ? batch_size : 1);
  built_ = false;
  {
    NoGradGuard no_grad;
    call(Tensor::zeros(shape, layers_.front()->dtype()), {}, false);
  }
  // The pass on zeros is not a real call: a stateful layer it built starts from zero state.
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (!was_built[i] && layers_[i]->stateful()) layers_[i]->reset_states();
  }
  input_shape_ = input_shape;
  batch_size_ = batch_size;
  for (Shape& output : output_shapes_) {
    output[0] = batch_size_ > 0 ? batch_size_ : -1;
    // Unknown timesteps stay unknown in the sequence outputs.
    if (!input_shape.empty() && input_shape[0] < 0 && output.size() >= 3) output[1] = -1;
  }
}

bool Sequential::has_stateful_layer() const {
  return std::any_of(layers_.begin(), layers_.end(),
                     [](const auto& layer) { return layer->stateful(); });
}

ModelOutput Sequential::call(const Tensor& x, const Tensor& mask, bool training) {
  if (layers_.empty()) {
    throw std::logic_error(fmt::format("Sequential '{}': the model has no layers", name_));
  }
  if (!x.defined() || x.dim() < 1) {
    throw std::invalid_argument(fmt::format(
        "Sequential '{}': the inputs must be a tensor with the samples on axis 0", name_));
  }
  ModelOutput result;
  Tensor current = x;
  Tensor current_mask = mask;
  std::vector<Shape> shapes;
  for (const auto& layer : layers_) {
    layers::LayerOutput out = layer->forward(current, current_mask, training);
    if (out.outputs.size() != 1) {
      throw std::invalid_argument(fmt::format(
          "Sequential '{}': layer '{}' returns {} tensors; a Sequential model needs one output "
          "per layer (e.g. return_state=false)",
          name_, layer->name(), out.outputs.size()));
    }
    current = out.outputs.front();
    current_mask = out.mask;
    shapes.push_back(current.shape());
    if (&layer == &layers_.back()) {
      result.logits = std::move(out.logits);
      result.logits_activation = std::move(out.logits_activation);
    }
  }
  result.output = current;
  result.mask = current_mask;
  if (!built_) {
    // A stateful model keeps the batch size of its first call.
    const bool stateful = has_stateful_layer();
    batch_size_ = stateful ? x.size(0) : 0;
    input_shape_ = Shape(x.shape().begin() + 1, x.shape().end());
    for (Shape& shape : shapes) shape[0] = stateful ? batch_size_ : -1;
    output_shapes_ = std::move(shapes);
    built_ = true;
  }
  return result;
}

void Sequential::summary(std::ostream& out) const {
  if (!built_) {
    throw std::logic_error(fmt::format(
        "Sequential '{}': summary: the model is not built yet; call build(input_shape) or the "
        "model on data first",
        name_));
  }
  const std::string rule(65, '_');
  const std::string double_rule(65, '=');
  const auto row = [](const std::string& a, const std::string& b, const std::string& c) {
    return fmt::format(" {:<27} {:<25} {:<10}\n", a, b, c);
  };
  fmt::print(out, "Model: \"{}\"\n{}\n", name_, rule);
  out << row("Layer (type)", "Output Shape", "Param #") << double_rule << '\n';
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const layers::Layer& layer = *layers_[i];
    out << row(fmt::format("{} ({})", layer.name(), layer.class_name()),
               shape_text(output_shapes_[i]), std::to_string(layer.count_params()))
        << std::string(65, ' ') << '\n';
  }
  std::int64_t trainable = 0;
  for (const Variable& weight : trainable_weights()) trainable += weight.value().numel();
  const std::int64_t total = count_params();
  fmt::print(out, "{}\nTotal params: {}\nTrainable params: {}\nNon-trainable params: {}\n{}\n",
             double_rule, grouped(total), grouped(trainable), grouped(total - trainable), rule);
}

void Sequential::summary() const { summary(std::cout); }

std::vector<Variable> Sequential::weights() const {
  return joined(layers_, &layers::Layer::weights);
}

std::vector<Variable> Sequential::trainable_weights() const {
  return joined(layers_, &layers::Layer::trainable_weights);
}

std::vector<Variable> Sequential::non_trainable_weights() const {
  return joined(layers_, &layers::Layer::non_trainable_weights);
}

std::vector<Tensor> Sequential::get_weights() const {
  return joined(layers_, &layers::Layer::get_weights);
}

void Sequential::set_weights(const std::vector<Tensor>& values) {
  const std::vector<Variable> all = weights();
  if (values.size() != all.size()) {
    throw std::invalid_argument(
        fmt::format("Sequential '{}': set_weights: expected {} weight tensors, got {}", name_,
                    all.size(), values.size()));
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!values[i].defined() || !is_floating(values[i].dtype()) ||
        values[i].shape() != all[i].value().shape()) {
      throw std::invalid_argument(fmt::format(
          "Sequential '{}': set_weights: weight {} ('{}') must be a float tensor of shape {}, got "
          "{}",
          name_, i, all[i].name(), shape_str(all[i].value().shape()),
          values[i].defined()
              ? fmt::format("a {} tensor of shape {}", dtype_name(values[i].dtype()),
                            shape_str(values[i].shape()))
              : std::string("an undefined tensor")));
    }
  }
  auto next = values.begin();
  for (const auto& layer : layers_) {
    const std::size_t count = layer->weights().size();
    layer->set_weights(std::vector<Tensor>(next, next + static_cast<std::ptrdiff_t>(count)));
    next += static_cast<std::ptrdiff_t>(count);
  }
}

std::int64_t Sequential::count_params() const {
  if (!built_) {
    throw std::logic_error(
        fmt::format("Sequential '{}': count_params: the model is not built yet", name_));
  }
  std::int64_t total = 0;
  for (const auto& layer : layers_) total += layer->count_params();
  return total;
}

std::vector<Tensor> Sequential::losses() const {
  std::vector<Tensor> result;
  for (const auto& layer : layers_) {
    result.insert(result.end(), layer->losses().begin(), layer->losses().end());
  }
  return result;
}

void Sequential::reset_states() {
  for (const auto& layer : layers_) {
    if (layer->stateful()) layer->reset_states();
  }
}

}  // namespace rnnkit::models
