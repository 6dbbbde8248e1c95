#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// Options of Tensor::backward.
struct BackwardOptions {
  /// Keep every node's saved tensors so the same graph can be differentiated again.
  bool retain_graph = false;
};

/// Turns gradient recording off for the current thread while alive (inference, optimizer
/// steps). Nests; restores the previous mode on destruction.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// Whether ops on this thread record the graph.
bool grad_enabled();

/// Gradients of a node's inputs given the gradients of its outputs. An undefined Tensor in the
/// result means "no gradient for that input". Outputs that received no gradient get zeros.
using BackwardFn = std::function<std::vector<Tensor>(const std::vector<Tensor>& grad_outputs)>;

/// Where a node sends the gradient of one of its inputs.
struct Edge {
  std::shared_ptr<Node> node;                 ///< producer of the input, or null
  int output = 0;                             ///< which output of `node`
  std::shared_ptr<detail::TensorImpl> leaf;   ///< the input itself when it is a leaf wanting grad
  Shape shape;                                ///< the input's shape (gradients are summed to it)
  DType dtype = DType::f32;
  bool wants_grad() const { return node != nullptr || leaf != nullptr; }
};

/// One recorded operation of the define-by-run graph.
class Node {
 public:
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  /// Releases the producers it alone owns iteratively, so a long graph does not recurse.
  ~Node();

  std::string name;
  std::vector<Edge> inputs;
  std::vector<std::pair<Shape, DType>> outputs;
  BackwardFn backward;  ///< released after use unless the graph is retained
};

/// True when grad mode is on and any of `inputs` requires grad: only then must an op record.
bool needs_grad(std::initializer_list<const Tensor*> inputs);
bool needs_grad(const std::vector<Tensor>& inputs);

/// Records an op producing one output; returns `output` connected to the graph (or unchanged
/// when no input requires grad).
Tensor record(std::string_view name, const std::vector<Tensor>& inputs, Tensor output,
              BackwardFn backward);
/// Records an op producing several outputs.
std::vector<Tensor> record(std::string_view name, const std::vector<Tensor>& inputs,
                           std::vector<Tensor> outputs, BackwardFn backward);

/// A tensor an op keeps for its backward, with the version it had; reading it after an
/// in-place write throws std::logic_error instead of returning wrong gradients.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(Tensor tensor);
  const Tensor& get(std::string_view op) const;

 private:
  Tensor tensor_;
  std::uint64_t version_ = 0;
};

}  // namespace rnnkit
