#include "rnnkit/models/functional.h"

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <rnnkit/framework/variable.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "graph.h"

namespace rnnkit::models {
namespace {

using NodePtr = std::shared_ptr<const detail::GraphNode>;

std::string names_text(const std::vector<SymbolicTensor>& tensors) {
  std::string out;
  for (const SymbolicTensor& tensor : tensors) out += (out.empty() ? "" : ", ") + tensor.name();
  return "[" + out + "]";
}

// 1234567 -> "1,234,567", as Keras's summary prints counts.
std::string grouped(std::int64_t count) {
  std::string digits = std::to_string(count);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

bool floating(DType dtype) { return dtype == DType::f32 || dtype == DType::f64; }

std::string shape_text(const Shape& shape) {
  std::string out;
  for (std::int64_t size : shape) {
    out += (out.empty() ? "" : ", ") + (size < 0 ? std::string("None") : std::to_string(size));
  }
  return "(" + out + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

Model::Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs,
             std::string name)
    : Layer(layers::LayerOptions{.name = std::move(name)}, "model") {
  if (inputs.empty() || outputs.empty()) {
    throw std::invalid_argument(
        fmt::format("{}: needs at least one input and one output, given {} inputs and {} outputs",
                    label(), inputs.size(), outputs.size()));
  }
  std::set<const detail::GraphNode*> given;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].node()->is_input()) {
      throw std::invalid_argument(fmt::format(
          "{}: inputs[{}] must be a tensor made by Input, given {}", label(), i,
          inputs[i].defined() ? fmt::format("the output of layer '{}'", inputs[i].layer_name())
                              : std::string("an undefined tensor")));
    }
    if (!given.insert(inputs[i].node().get()).second) {
      throw std::invalid_argument(
          fmt::format("{}: the input '{}' is given twice (inputs {}); each Input may appear once",
                      label(), inputs[i].name(), names_text(inputs)));
    }
  }
  std::map<const detail::GraphNode*, NodePtr> reached;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined()) {
      throw std::invalid_argument(
          fmt::format("{}: outputs[{}] is undefined (expected a symbolic tensor)", label(), i));
    }
    std::vector<NodePtr> pending{outputs[i].node()};
    while (!pending.empty()) {
      NodePtr node = std::move(pending.back());
      pending.pop_back();
      if (!reached.emplace(node.get(), node).second) continue;
      if (node->is_input()) {
        if (!given.contains(node.get())) {
          throw std::invalid_argument(fmt::format(
              "{}: output '{}' is not connected to the inputs: it needs the input '{}', which is "
              "not among the model's inputs {}",
              label(), outputs[i].name(), node->input_name, names_text(inputs)));
        }
        continue;
      }
      for (const SymbolicTensor& input : node->inputs) pending.push_back(input.node());
    }
  }
  std::vector<NodePtr> nodes;
  for (auto& [raw, node] : reached) {
    if (!node->is_input()) nodes.push_back(node);
  }
  std::sort(nodes.begin(), nodes.end(),
            [](const NodePtr& a, const NodePtr& b) { return a->sequence < b->sequence; });
  std::map<std::string, const layers::Layer*, std::less<>> by_name;
  for (const SymbolicTensor& input : inputs) by_name.emplace(input.layer_name(), nullptr);
  for (const NodePtr& node : nodes) {
    auto [it, inserted] = by_name.emplace(node->layer->name(), node->layer.get());
    if (!inserted && it->second != node->layer.get()) {
      throw std::invalid_argument(fmt::format(
          "{}: the name '{}' is used by two layers or inputs of the graph; all layer names "
          "should be unique",
          label(), node->layer->name()));
    }
  }
  inputs_ = std::move(inputs);
  outputs_ = std::move(outputs);
  nodes_ = std::move(nodes);
  layers_ = keras_layer_order();
}

// Keras's model.layers order (functional._map_graph_network): by depth from the outputs,
// deepest first, ties in the order a depth-first walk from the outputs first meets each layer.
std::vector<layers::Layer*> Model::keras_layer_order() const {
  std::map<const layers::Layer*, std::size_t> first_met;
  std::set<const detail::GraphNode*> visited;
  std::vector<const detail::GraphNode*> stack;
  for (auto it = outputs_.rbegin(); it != outputs_.rend(); ++it) stack.push_back(it->node().get());
  while (!stack.empty()) {
    const detail::GraphNode* node = stack.back();
    stack.pop_back();
    if (!visited.insert(node).second || node->is_input()) continue;
    first_met.emplace(node->layer.get(), first_met.size());
    for (auto it = node->inputs.rbegin(); it != node->inputs.rend(); ++it) {
      stack.push_back(it->node().get());
    }
  }
  // Depths from the outputs (0), visiting nodes consumers first; a layer called more than once
  // takes the greatest depth of its calls, and so do those calls.
  std::map<const detail::GraphNode*, std::size_t> node_depth;
  std::map<const layers::Layer*, std::size_t> layer_depth;
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    const detail::GraphNode* node = it->get();
    const std::size_t depth = std::max(node_depth[node], layer_depth[node->layer.get()]);
    layer_depth[node->layer.get()] = depth;
    for (const SymbolicTensor& input : node->inputs) {
      std::size_t& inbound = node_depth[input.node().get()];
      inbound = std::max(inbound, depth + 1);
    }
  }
  std::vector<layers::Layer*> out;
  for (const NodePtr& node : nodes_) {
    if (std::find(out.begin(), out.end(), node->layer.get()) == out.end()) {
      out.push_back(node->layer.get());
    }
  }
  std::stable_sort(out.begin(), out.end(), [&](layers::Layer* a, layers::Layer* b) {
    if (layer_depth.at(a) != layer_depth.at(b)) return layer_depth.at(a) > layer_depth.at(b);
    return first_met.at(a) < first_met.at(b);
  });
  return out;
}

std::vector<std::string> Model::input_names() const {
  std::vector<std::string> names;
  for (const SymbolicTensor& input : inputs_) names.push_back(input.layer_name());
  return names;
}

std::vector<layers::Layer*> Model::layers() const { return layers_; }

layers::Layer& Model::get_layer(std::string_view name) const {
  std::string names;
  for (layers::Layer* layer : layers()) {
    if (layer->name() == name) return *layer;
    names += (names.empty() ? "" : ", ") + layer->name();
  }
  throw std::invalid_argument(
      fmt::format("{}: get_layer: no layer named '{}' (layers: {})", label(), name, names));
}

layers::CallOutput Model::forward_inputs(const std::vector<Tensor>& inputs,
                                         const std::vector<Tensor>& masks, bool training) {
  if (inputs.size() != inputs_.size()) {
    throw std::invalid_argument(fmt::format("{}: expects {} input tensors {}, given {}", label(),
                                            inputs_.size(), names_text(inputs_), inputs.size()));
  }
  if (!masks.empty() && masks.size() != inputs_.size()) {
    throw std::invalid_argument(fmt::format("{}: expects no masks or one per input ({}), given {}",
                                            label(), inputs_.size(), masks.size()));
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Shape& expected = inputs_[i].shape();
    const DType want = inputs_[i].dtype();
    const std::string what = fmt::format("{}: input '{}'", label(), inputs_[i].name());
    if (!inputs[i].defined()) {
      throw std::invalid_argument(
          fmt::format("{} is undefined (expected shape {})", what, shape_str(expected)));
    }
    const Shape& shape = inputs[i].shape();
    bool fits = shape.size() == expected.size();
    for (std::size_t axis = 0; fits && axis < shape.size(); ++axis) {
      fits = expected[axis] < 0 || expected[axis] == shape[axis];
    }
    if (!fits) {
      throw std::invalid_argument(fmt::format("{}: expected shape {} (-1: any size), given {}",
                                              what, shape_str(expected), shape_str(shape)));
    }
    const DType given = inputs[i].dtype();
    if (floating(want) ? !floating(given) : !(floating(given) || given == DType::i64)) {
      throw std::invalid_argument(fmt::format("{}: expected dtype {}, given {}", what,
                                              dtype_name(want), dtype_name(inputs[i].dtype())));
    }
  }
  std::map<const detail::GraphNode*, layers::CallOutput> values;
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    values[inputs_[i].node().get()] =
        layers::CallOutput{.outputs = {inputs[i]}, .masks = {masks.empty() ? Tensor() : masks[i]}};
  }
  std::vector<Tensor> activity;
  for (const NodePtr& node : nodes_) {
    std::vector<Tensor> args;
    std::vector<Tensor> arg_masks;
    for (const SymbolicTensor& input : node->inputs) {
      const layers::CallOutput& from = values.at(input.node().get());
      args.push_back(from.outputs.at(input.index()));
      arg_masks.push_back(from.masks.at(input.index()));
    }
    layers::CallOutput out = node->layer->forward_inputs(args, arg_masks, training);
    const auto& losses = node->layer->call_activity_losses();
    activity.insert(activity.end(), losses.begin(), losses.end());
    values[node.get()] = std::move(out);
  }
  layers::CallOutput result;
  for (const SymbolicTensor& output : outputs_) {
    const layers::CallOutput& from = values.at(output.node().get());
    result.outputs.push_back(from.outputs.at(output.index()));
    result.masks.push_back(from.masks.at(output.index()));
  }
  set_call_losses(std::move(activity));
  return result;
}

std::vector<Tensor> Model::operator()(const std::vector<Tensor>& inputs,
                                      const ModelCallOptions& options) {
  return forward_inputs(inputs, options.masks, options.training).outputs;
}

layers::LayerOutput Model::forward(const Tensor& inputs, const Tensor& mask, bool training) {
  layers::CallOutput out = forward_inputs({inputs}, {mask}, training);
  return layers::LayerOutput{.outputs = {out.outputs[0]}, .mask = out.masks[0]};
}

bool Model::stateful() const {
  const std::vector<layers::Layer*> all = layers();
  return std::any_of(all.begin(), all.end(), [](layers::Layer* l) { return l->stateful(); });
}

void Model::reset_states() {
  for (layers::Layer* layer : layers()) {
    if (layer->stateful()) layer->reset_states();
  }
}

void Model::summary() const { summary(std::cout); }

void Model::summary(std::ostream& out) const {
  constexpr int width = 98;
  const std::string rule(width, '_');
  const std::string double_rule(width, '=');
  const auto row = [](const std::string& a, const std::string& b, const std::string& c,
                      const std::string& d) {
    return fmt::format(" {:<28} {:<25} {:<10} {}\n", a, b, c, d);
  };
  // Keras's "Connected to" names a tensor as layer[node_index][tensor_index], node_index being
  // the call's position among that layer's calls in this model.
  std::map<const detail::GraphNode*, std::size_t> node_index;
  std::map<const layers::Layer*, std::size_t> calls;
  for (const NodePtr& node : nodes_) node_index[node.get()] = calls[node->layer.get()]++;
  const auto inbound = [&](const SymbolicTensor& t) {
    const auto found = node_index.find(t.node().get());
    return fmt::format("{}[{}][{}]", t.layer_name(), found == node_index.end() ? 0 : found->second,
                       t.index());
  };
  fmt::print(out, "Model: \"{}\"\n{}\n", name(), rule);
  out << row("Layer (type)", "Output Shape", "Param #", "Connected to") << double_rule << '\n';
  bool first = true;
  const auto separator = [&] {
    if (!first) out << rule << '\n';
    first = false;
  };
  for (const SymbolicTensor& input : inputs_) {
    separator();
    out << row(fmt::format("{} (InputLayer)", input.layer_name()),
               "[" + shape_text(input.shape()) + "]", "0", "[]");
  }
  // One row per layer, as Keras prints it: a layer called on tensors of different shapes has
  // the output shape "multiple", and its row lists the inbound tensors of all its calls.
  for (layers::Layer* layer : layers_) {
    separator();
    std::vector<const detail::GraphNode*> calls_of;
    for (const NodePtr& node : nodes_) {
      if (node->layer.get() == layer) calls_of.push_back(node.get());
    }
    std::string shapes;
    for (const Shape& shape : calls_of[0]->output_shapes) {
      shapes += (shapes.empty() ? "" : ", ") + shape_text(shape);
    }
    if (calls_of[0]->output_shapes.size() > 1) shapes = "[" + shapes + "]";
    for (const detail::GraphNode* node : calls_of) {
      if (node->output_shapes != calls_of[0]->output_shapes) shapes = "multiple";
    }
    std::vector<std::string> connected;
    for (const detail::GraphNode* node : calls_of) {
      for (const SymbolicTensor& t : node->inputs) connected.push_back(inbound(t));
    }
    out << row(fmt::format("{} ({})", layer->name(), layer->class_name()), shapes,
               std::to_string(layer->count_params()),
               "['" + connected[0] + "'" + (connected.size() > 1 ? "," : "]"));
    for (std::size_t i = 1; i < connected.size(); ++i) {
      out << row("", "", "", " '" + connected[i] + "'" + (i + 1 == connected.size() ? "]" : ","));
    }
  }
  std::int64_t trainable = 0;
  for (const Variable& weight : trainable_weights()) trainable += weight.value().numel();
  const std::int64_t total = count_params();
  fmt::print(out, "{}\nTotal params: {}\nTrainable params: {}\nNon-trainable params: {}\n{}\n",
             double_rule, grouped(total), grouped(trainable), grouped(total - trainable), rule);
}

}  // namespace rnnkit::models
