#include "rnnkit/framework/autograd.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <Eigen/Core>

#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

thread_local bool grad_mode_enabled = true;

Edge make_edge(const Tensor& input) {
  Edge edge;
  edge.shape = input.shape();
  edge.dtype = input.dtype();
  if (!input.requires_grad()) return edge;
  if (input.grad_fn()) {
    edge.node = input.grad_fn();
    edge.output = input.output_index();
  } else {
    edge.leaf = input.impl();
  }
  return edge;
}

// Adds `g` into a leaf's .grad in place, so a parameter's gradient buffer is allocated once and
// reused across steps (zero_grad keeps it).
void accumulate_into_leaf(detail::TensorImpl& leaf, const Tensor& g) {
  if (!leaf.grad.defined()) {
    Tensor fresh = Tensor::empty(leaf.shape, leaf.dtype);
    fresh.copy_(g);
    leaf.grad = fresh;
    return;
  }
  detail::dispatch_float("backward", leaf.dtype, [&](auto zero) {
    using T = decltype(zero);
    using Vec = Eigen::Array<T, Eigen::Dynamic, 1>;
    const auto n = leaf.grad.numel();
    Eigen::Map<Vec>(leaf.grad.mutable_data<T>(), n) += Eigen::Map<const Vec>(g.data<T>(), n);
  });
}

// Gradients are summed back to the input's shape here, once, for every op that broadcasts.
Tensor fit_to_edge(const Node& node, const Edge& edge, const Tensor& g) {
  if (g.dtype() != edge.dtype) {
    throw std::logic_error(fmt::format("backward: op '{}' produced a {} gradient for a {} input",
                                       node.name, dtype_name(g.dtype()), dtype_name(edge.dtype)));
  }
  if (g.shape() == edge.shape) return g;
  return sum_to_shape(g, edge.shape);
}

// Nodes reachable from `root`, each with the number of edges pointing at it (iterative DFS: a
// 1000-step unrolled graph must not overflow the stack).
std::unordered_map<Node*, int> count_dependencies(Node* root) {
  std::unordered_map<Node*, int> dependencies{{root, 0}};
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& edge : node->inputs) {
      if (!edge.node) continue;
      auto [it, inserted] = dependencies.try_emplace(edge.node.get(), 0);
      ++it->second;
      if (inserted) stack.push_back(edge.node.get());
    }
  }
  return dependencies;
}

void run_backward(const Tensor& root, Tensor root_grad, const BackwardOptions& options) {
  if (!root.requires_grad()) {
    throw std::logic_error(
        "backward: this tensor does not require grad (no input of the computation has "
        "set_requires_grad(true), or it was computed under a NoGradGuard)");
  }
  NoGradGuard no_grad;
  if (!root.grad_fn()) {
    accumulate_into_leaf(*root.impl(), root_grad);
    return;
  }
  Node* root_node = root.grad_fn().get();
  auto dependencies = count_dependencies(root_node);
  std::unordered_map<Node*, std::vector<Tensor>> pending;
  pending[root_node].resize(root_node->outputs.size());
  pending[root_node][static_cast<std::size_t>(root.output_index())] = std::move(root_grad);

  std::vector<Node*> ready{root_node};
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    if (!node->backward) {
      throw std::logic_error(fmt::format(
          "backward: the graph through '{}' was already differentiated and its saved tensors "
          "freed; call backward({{.retain_graph = true}}) the first time to differentiate twice",
          node->name));
    }
    std::vector<Tensor> grad_outputs = std::move(pending[node]);
    pending.erase(node);
    grad_outputs.resize(node->outputs.size());
    for (std::size_t i = 0; i < grad_outputs.size(); ++i) {
      if (!grad_outputs[i].defined()) {
        grad_outputs[i] = Tensor::zeros(node->outputs[i].first, node->outputs[i].second);
      }
    }
    std::vector<Tensor> grad_inputs = node->backward(grad_outputs);
    if (!options.retain_graph) node->backward = nullptr;
    if (grad_inputs.size() != node->inputs.size()) {
      throw std::logic_error(fmt::format("backward: op '{}' returned {} gradients for {} inputs",
                                         node->name, grad_inputs.size(), node->inputs.size()));
    }
    for (std::size_t i = 0; i < node->inputs.size(); ++i) {
      const Edge& edge = node->inputs[i];
      if (edge.node) {
        if (grad_inputs[i].defined()) {
          Tensor g = fit_to_edge(*node, edge, grad_inputs[i]);
          auto& slots = pending[edge.node.get()];
          slots.resize(edge.node->outputs.size());
          Tensor& slot = slots[static_cast<std::size_t>(edge.output)];
          slot = slot.defined() ? add(slot, g) : g;
        }
        if (--dependencies[edge.node.get()] == 0) ready.push_back(edge.node.get());
      } else if (edge.leaf && grad_inputs[i].defined()) {
        accumulate_into_leaf(*edge.leaf, fit_to_edge(*node, edge, grad_inputs[i]));
      }
    }
  }
}

}  // namespace

// Destroying the last handle of a chain would otherwise destroy its producer from inside this
// destructor, and so on once per node: a 100000-node graph overflowed the stack. Producers this
// node alone owns have their edges taken first, so each dies with nothing left to release.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> orphans;
  for (Edge& edge : inputs) {
    if (edge.node) orphans.push_back(std::move(edge.node));
  }
  while (!orphans.empty()) {
    std::shared_ptr<Node> node = std::move(orphans.back());
    orphans.pop_back();
    if (node.use_count() == 1) {
      for (Edge& edge : node->inputs) {
        if (edge.node) orphans.push_back(std::move(edge.node));
      }
    }
  }
}

NoGradGuard::NoGradGuard() : previous_(grad_mode_enabled) { grad_mode_enabled = false; }
NoGradGuard::~NoGradGuard() { grad_mode_enabled = previous_; }
bool grad_enabled() { return grad_mode_enabled; }

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
  if (!grad_mode_enabled) return false;
  return std::any_of(inputs.begin(), inputs.end(),
                     [](const Tensor* t) { return t->defined() && t->requires_grad(); });
}

bool needs_grad(const std::vector<Tensor>& inputs) {
  if (!grad_mode_enabled) return false;
  return std::any_of(inputs.begin(), inputs.end(),
                     [](const Tensor& t) { return t.defined() && t.requires_grad(); });
}

std::vector<Tensor> record(std::string_view name, const std::vector<Tensor>& inputs,
                           std::vector<Tensor> outputs, BackwardFn backward) {
  if (!needs_grad(inputs)) return outputs;
  auto node = std::make_shared<Node>();
  node->name = std::string(name);
  node->backward = std::move(backward);
  node->inputs.reserve(inputs.size());
  for (const Tensor& input : inputs) {
    node->inputs.push_back(input.defined() ? make_edge(input) : Edge{});
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    auto& impl = *outputs[i].impl();
    node->outputs.emplace_back(impl.shape, impl.dtype);
    impl.grad_fn = node;
    impl.output_index = static_cast<int>(i);
    impl.requires_grad = is_floating(impl.dtype);
  }
  return outputs;
}

Tensor record(std::string_view name, const std::vector<Tensor>& inputs, Tensor output,
              BackwardFn backward) {
  return record(name, inputs, std::vector<Tensor>{std::move(output)}, std::move(backward))[0];
}

// Saved tensors are detached: a node must not own its own outputs' graph (a reference cycle).
SavedTensor::SavedTensor(Tensor tensor) : tensor_(tensor.defined() ? tensor.detach() : Tensor()) {
  version_ = tensor_.defined() ? tensor_.version() : 0;
}

const Tensor& SavedTensor::get(std::string_view op) const {
  if (tensor_.defined() && tensor_.version() != version_) {
    throw std::logic_error(fmt::format(
        "backward: a tensor saved by '{}' was modified in place after it was used (version {} "
        "then, {} now); the gradient would be wrong",
        op, version_, tensor_.version()));
  }
  return tensor_;
}

void Tensor::backward() const { backward(BackwardOptions{}); }

void Tensor::backward(const BackwardOptions& options) const {
  if (numel() != 1) {
    throw std::logic_error(fmt::format(
        "backward: the output has shape {}, not a single element; pass its gradient: "
        "backward(grad_output)",
        shape_str(shape())));
  }
  run_backward(*this, Tensor::ones(shape(), dtype()), options);
}

void Tensor::backward(const Tensor& grad_output) const { backward(grad_output, BackwardOptions{}); }

void Tensor::backward(const Tensor& grad_output, const BackwardOptions& options) const {
  detail::require_defined("backward", grad_output, "grad_output");
  if (grad_output.shape() != shape() || grad_output.dtype() != dtype()) {
    throw std::invalid_argument(fmt::format(
        "backward: grad_output must match the output: expected shape {} {}, got {} {}",
        shape_str(shape()), dtype_name(dtype()), shape_str(grad_output.shape()),
        dtype_name(grad_output.dtype())));
  }
  run_backward(*this, grad_output.detach(), options);
}

}  // namespace rnnkit
