#pragma once

#include <rnnkit/framework/dtype.h>
#include <rnnkit/framework/shape.h>
#include <rnnkit/layers/layer.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

/// Keras's functional API, the recording half (Keras Input, KerasTensor, Layer.__call__ on
/// symbolic tensors).
///
/// Design:
/// - A `SymbolicTensor` is a value: a shared pointer to the immutable graph node that produces
///   it, plus which of the node's outputs it is. Copying it copies the handle; the graph lives
///   as long as some tensor or model refers to it. Nodes only point back to their inputs, so
///   graphs are acyclic by construction and never form reference cycles.
/// - A node is recorded by calling a `Shared` layer on symbolic tensors. `Shared<L>` owns one
///   layer through a shared pointer: copies of the handle are the same layer, so calling it on
///   several inputs shares its weights, as calling one Keras layer object twice does. Layers
///   themselves stay move-only values.
/// - Recording checks the call at graph-building time, as Keras does: the layer runs once in
///   inference mode on zeros of the inputs' shapes (unknown sizes filled with two different
///   values in two runs; the sizes that differ are unknown in the result). This builds the
///   layer's weights, so `set_weights` works straight after, and a shape the layer refuses
///   throws std::invalid_argument there, before any node exists. A stateful layer's kept
///   state is reset afterwards, and the layer's own losses() hold the activity terms of that
///   run until its next call (a Model's losses() hold only its own calls').
/// - Nothing is global: no session, no default graph.
namespace rnnkit::models {

namespace detail {
struct GraphNode;
}

/// Keras Input(shape, batch_size, name, dtype) arguments after the shape.
struct InputOptions {
  std::int64_t batch_size = 0;  ///< 0: unknown (Keras None)
  DType dtype = DType::f32;     ///< f32, f64, or i64 (e.g. token ids for an Embedding)
  std::string name = {};        ///< empty: a unique default "input_1", "input_2", ...
};

/// A symbolic tensor (Keras KerasTensor): the shape and dtype of what a layer will produce, and
/// the node that produces it. Default-constructed it is undefined.
class SymbolicTensor {
 public:
  SymbolicTensor() = default;
  bool defined() const { return node_ != nullptr; }
  /// The full shape, batch axis first; -1 where the size is unknown (Keras None).
  const Shape& shape() const;
  DType dtype() const;
  /// "<layer>" for an input or a layer's only output, "<layer>:<index>" for a further output.
  std::string name() const;
  /// The name of the layer (or input) that produces this tensor.
  const std::string& layer_name() const;
  /// Which output of its node this is.
  std::size_t index() const { return index_; }
  /// The producing node (an opaque type outside the library's graph code).
  const std::shared_ptr<const detail::GraphNode>& node() const { return node_; }

  /// Output `index` of `node`; made by Input and by layer calls, not by user code.
  SymbolicTensor(std::shared_ptr<const detail::GraphNode> node, std::size_t index)
      : node_(std::move(node)), index_(index) {}

 private:
  std::shared_ptr<const detail::GraphNode> node_;
  std::size_t index_ = 0;
};

/// Keras Input(shape=...): a symbolic input of per-sample shape `shape` (-1 for an unknown size,
/// e.g. the timesteps). std::invalid_argument for a size below -1 or 0, a negative batch size,
/// or a dtype other than f32, f64 and i64.
SymbolicTensor Input(Shape shape, InputOptions options = {});

/// What a symbolic layer call gives: its outputs in Keras's order (an RNN with return_state:
/// the output, then the states). Converts to a SymbolicTensor when there is exactly one, and
/// unpacks into two, `auto [sequence, state] = rnn(x);`, as RNNOutput does.
class SymbolicOutputs {
 public:
  explicit SymbolicOutputs(std::vector<SymbolicTensor> tensors) : tensors_(std::move(tensors)) {}
  /// The only output; std::logic_error when the call gave several (unpack them instead).
  operator SymbolicTensor() const;  // NOLINT: implicit, so `SymbolicTensor y = dense(x)` reads
                                    // like Keras
  std::size_t size() const { return tensors_.size(); }
  /// Output `i`; std::out_of_range past the end.
  const SymbolicTensor& operator[](std::size_t i) const;
  const std::vector<SymbolicTensor>& tensors() const { return tensors_; }
  template <std::size_t I>
  SymbolicTensor get() const {
    return (*this)[I];
  }

 private:
  std::vector<SymbolicTensor> tensors_;
};

/// The symbolic-call arguments besides the inputs (Keras call keywords).
struct SymbolicCallOptions {
  /// An RNN's initial states, one symbolic [B, units] tensor per state.
  std::vector<SymbolicTensor> initial_state = {};
};

namespace detail {
/// Records `layer` called on `inputs` (then `options.initial_state`) as a new node, after the
/// checking run described above.
SymbolicOutputs call_symbolic(const std::shared_ptr<layers::Layer>& layer,
                              std::vector<SymbolicTensor> inputs,
                              const SymbolicCallOptions& options);
}  // namespace detail

/// A shared handle to one layer for building functional models:
/// `models::Shared dense(layers::Dense(4)); auto y = dense(x);`. Copies share the layer.
template <std::derived_from<layers::Layer> L>
class Shared {
 public:
  explicit Shared(L layer) : layer_(std::make_shared<L>(std::move(layer))) {}

  /// Records a call on one symbolic tensor (Keras layer(x, initial_state=...)).
  SymbolicOutputs operator()(const SymbolicTensor& input,
                             const SymbolicCallOptions& options = {}) const {
    return detail::call_symbolic(layer_, {input}, options);
  }
  /// Records a call on a list of symbolic tensors (merge layers: Keras layer([a, b])).
  SymbolicOutputs operator()(std::vector<SymbolicTensor> inputs,
                             const SymbolicCallOptions& options = {}) const {
    return detail::call_symbolic(layer_, std::move(inputs), options);
  }

  L& operator*() const { return *layer_; }
  L* operator->() const { return layer_.get(); }
  const std::shared_ptr<L>& pointer() const { return layer_; }

 private:
  std::shared_ptr<L> layer_;
};

}  // namespace rnnkit::models

template <>
struct std::tuple_size<rnnkit::models::SymbolicOutputs> : std::integral_constant<std::size_t, 2> {};
template <std::size_t I>
struct std::tuple_element<I, rnnkit::models::SymbolicOutputs> {
  using type = rnnkit::models::SymbolicTensor;
};
