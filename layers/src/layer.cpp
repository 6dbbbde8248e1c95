#include "rnnkit/layers/layer.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <map>
#include <mutex>
#include <stdexcept>

namespace rnnkit::layers {
namespace {

std::mutex names_mutex;
std::map<std::string, int, std::less<>>& name_counts() {
  static std::map<std::string, int, std::less<>> counts;
  return counts;
}

std::string joined_shapes(const std::vector<Shape>& shapes) {
  std::string out;
  for (const Shape& shape : shapes) out += (out.empty() ? "" : ", ") + shape_str(shape);
  return out;
}

}  // namespace

std::string unique_layer_name(std::string_view base) {
  std::lock_guard lock(names_mutex);
  auto [it, inserted] = name_counts().try_emplace(std::string(base), 0);
  const int count = it->second++;
  return count == 0 ? std::string(base) : fmt::format("{}_{}", base, count);
}

void reset_layer_names() {
  std::lock_guard lock(names_mutex);
  name_counts().clear();
}

Layer::Layer(const LayerOptions& options, std::string_view default_name)
    : dtype_(options.dtype), trainable_(options.trainable) {
  if (!is_floating(options.dtype)) {
    throw std::invalid_argument(fmt::format("{}: dtype must be float32 or float64, got {}",
                                            default_name, dtype_name(options.dtype)));
  }
  name_ = options.name.empty() ? unique_layer_name(default_name) : options.name;
}

std::string Layer::label() const { return fmt::format("{} '{}'", class_name(), name_); }

void Layer::set_trainable(bool trainable) {
  trainable_ = trainable;
  for (TrackedWeight& weight : weights_) {
    weight.variable.set_trainable(trainable && weight.declared_trainable);
  }
  for (Layer* sublayer : sublayers()) sublayer->set_trainable(trainable);
}

void Layer::adopt(Layer& sublayer) const {
  sublayer.scope_ = scope_ + name_ + "/";
  if (!trainable_) sublayer.set_trainable(false);
}

Variable Layer::add_weight(std::string_view name, const Shape& shape,
                           const initializers::AnyInitializer& initializer,
                           regularizers::AnyRegularizer regularizer,
                           constraints::AnyConstraint constraint, bool trainable) {
  const std::string full_name = fmt::format("{}{}/{}:0", scope_, name_, name);
  Tensor value = initializer(shape, dtype_);
  if (!value.defined() || value.shape() != shape || !is_floating(value.dtype())) {
    throw std::invalid_argument(fmt::format(
        "{}: the initializer of weight '{}' must return a float tensor of shape {}, got {}",
        label(), full_name, shape_str(shape), value.defined() ? to_string(value) : "undefined"));
  }
  Variable variable(full_name, value.to(dtype_), std::move(constraint), trainable && trainable_);
  weights_.push_back({variable, std::move(regularizer), trainable});
  return variable;
}

void Layer::collect_weights(std::vector<const TrackedWeight*>& out) const {
  for (const TrackedWeight& weight : weights_) out.push_back(&weight);
  for (const Layer* sublayer : sublayers()) sublayer->collect_weights(out);
}

std::vector<const Layer::TrackedWeight*> Layer::tracked_weights() const {
  std::vector<const TrackedWeight*> out;
  collect_weights(out);
  return out;
}

std::vector<Variable> Layer::weights() const {
  std::vector<Variable> out;
  for (const TrackedWeight* weight : tracked_weights()) out.push_back(weight->variable);
  return out;
}

std::vector<Variable> Layer::trainable_weights() const {
  std::vector<Variable> out;
  if (!trainable_) return out;
  for (const Variable& variable : weights()) {
    if (variable.trainable()) out.push_back(variable);
  }
  return out;
}

std::vector<Variable> Layer::non_trainable_weights() const {
  std::vector<Variable> out;
  for (const Variable& variable : weights()) {
    if (!trainable_ || !variable.trainable()) out.push_back(variable);
  }
  return out;
}

std::vector<Tensor> Layer::get_weights() const {
  std::vector<Tensor> out;
  for (const Variable& variable : weights()) out.push_back(variable.value().detach().clone());
  return out;
}

void Layer::set_weights(const std::vector<Tensor>& values) {
  const std::vector<Variable> targets = weights();
  std::vector<Shape> expected;
  for (const Variable& variable : targets) expected.push_back(variable.value().shape());
  if (values.size() != targets.size()) {
    throw std::invalid_argument(
        fmt::format("{}: set_weights expected {} values (shapes [{}]), got {}", label(),
                    targets.size(), joined_shapes(expected), values.size()));
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Tensor& value = values[i];
    if (!value.defined() || !is_floating(value.dtype()) || value.shape() != expected[i]) {
      throw std::invalid_argument(fmt::format(
          "{}: set_weights value {} for weight '{}' must be a float tensor of shape {}, got {}",
          label(), i, targets[i].name(), shape_str(expected[i]),
          value.defined()
              ? fmt::format("{} of shape {}", dtype_name(value.dtype()), shape_str(value.shape()))
              : "an undefined tensor"));
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Variable target = targets[i];
    target.assign(values[i]);
  }
}

std::int64_t Layer::count_params() const {
  if (!built()) {
    throw std::logic_error(fmt::format(
        "{}: count_params needs the weights, but the layer is not built yet (call it once first)",
        label()));
  }
  std::int64_t count = 0;
  for (const Variable& variable : weights()) count += variable.value().numel();
  return count;
}

LayerOutput Layer::forward(const Tensor&, const Tensor&, bool) {
  throw std::logic_error(
      fmt::format("{}: this layer cannot be called with a single input tensor", label()));
}

CallOutput Layer::forward_inputs(const std::vector<Tensor>& inputs,
                                 const std::vector<Tensor>& masks, bool training) {
  if (inputs.size() != 1) {
    throw std::invalid_argument(
        fmt::format("{}: takes 1 input tensor, given {}", label(), inputs.size()));
  }
  LayerOutput out = forward(inputs[0], masks.empty() ? Tensor() : masks[0], training);
  CallOutput result{.outputs = std::move(out.outputs), .masks = {}};
  result.masks.resize(result.outputs.size());
  if (!result.masks.empty()) result.masks[0] = out.mask;
  return result;
}

void Layer::reset_states() {
  throw std::logic_error(fmt::format("{}: reset_states needs a stateful layer", label()));
}

Layer::PenaltyKey Layer::penalty_key() const {
  PenaltyKey key;
  for (const TrackedWeight* weight : tracked_weights()) {
    if (weight->regularizer) {
      const Tensor& value = weight->variable.value();
      key.emplace_back(value.impl().get(), value.version());
    }
  }
  return key;
}

void Layer::evaluate_losses() const {
  losses_.clear();
  for (const TrackedWeight* weight : tracked_weights()) {
    if (weight->regularizer) losses_.push_back(weight->regularizer(weight->variable.value()));
  }
  losses_.insert(losses_.end(), activity_losses_.begin(), activity_losses_.end());
  losses_key_ = penalty_key();
}

const std::vector<Tensor>& Layer::losses() const {
  // Keras evaluates a weight's penalty whenever losses are read; re-evaluating only after a
  // change keeps the terms of a call (and their graph) for the loss built from that call.
  if (penalty_key() != losses_key_) evaluate_losses();
  return losses_;
}

void Layer::set_call_losses(std::vector<Tensor> activity_losses) {
  activity_losses_ = std::move(activity_losses);
  evaluate_losses();
}

Tensor Layer::activity_loss(const regularizers::AnyRegularizer& regularizer, const Tensor& output) {
  return div(regularizer(output), static_cast<double>(output.size(0)));
}

Config Layer::get_config() const {
  Config config = Config::object();
  config["name"] = name_;
  config["trainable"] = trainable_;
  config["dtype"] = std::string(dtype_name(dtype_));
  return config;
}

}  // namespace rnnkit::layers
