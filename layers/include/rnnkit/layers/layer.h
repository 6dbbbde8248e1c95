#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/constraints.h>
#include <rnnkit/framework/dtype.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/framework/variable.h>
#include <rnnkit/initializers/initializer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rnnkit::layers {

/// The Keras base-layer keywords every layer accepts.
struct LayerOptions {
  std::string name = {};     ///< empty: a unique default such as "simple_rnn", "simple_rnn_1"
  DType dtype = DType::f32;  ///< of the weights and the computation: float32 or float64
  bool trainable = true;
};

/// What a layer hands to a model: its output tensors and the mask for the next layer (Keras
/// compute_mask; undefined when there is none).
struct LayerOutput {
  std::vector<Tensor> outputs = {};
  Tensor mask = {};
  /// The pre-activation of outputs[0] when the layer ends in a sigmoid or softmax activation,
  /// so a matching crossentropy can be computed from logits as Keras does (spec §9).
  Tensor logits = {};
  /// That activation's name ("sigmoid" or "softmax") when logits is defined.
  std::string logits_activation = {};
};

/// What a call on a list of tensors gives (one node of a functional model): the outputs and one
/// mask per output, undefined where there is none (Keras compute_mask's list).
struct CallOutput {
  std::vector<Tensor> outputs = {};
  std::vector<Tensor> masks = {};
};

/// A sample of a layer's inputs that the layer refuses for the values it holds.
struct BadSample {
  std::int64_t sample = 0;  ///< its index along axis 0
  std::string reason = {};  ///< what forward() would say about it
};

/// `base` the first time, then `base_1`, `base_2`, ... (Keras's unique default layer names,
/// counted per base name across the process; thread-safe).
std::string unique_layer_name(std::string_view base);
/// Forgets every default name handed out, as Keras's backend.clear_session() does.
void reset_layer_names();

/// Base of every layer (Keras Layer): a name, a dtype, named weights with their regularizers and
/// constraints, and the regularization losses of the last call. Layers are move-only values, so
/// a model can take them by value and hold them type-erased behind this base.
class Layer {
 public:
  virtual ~Layer() = default;
  Layer(Layer&&) noexcept = default;
  Layer& operator=(Layer&&) noexcept = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  /// Keras class name, e.g. "SimpleRNN".
  virtual std::string class_name() const = 0;
  /// Keras get_config(): the arguments that rebuild this layer, keys in Keras's order (spec §10).
  /// The base holds name, trainable and dtype.
  virtual Config get_config() const;
  const std::string& name() const { return name_; }
  DType dtype() const { return dtype_; }
  bool trainable() const { return trainable_; }
  /// Sets trainable on this layer, its weights and its sublayers (Keras's trainable setter).
  void set_trainable(bool trainable);
  /// True once the weights exist (they are built lazily by the first call, as Keras's build).
  virtual bool built() const { return built_; }

  /// Every weight in creation order, sublayers' included (Keras layer.weights); state variables
  /// of stateful layers are not weights.
  std::vector<Variable> weights() const;
  /// The weights gradients are taken for: none when the layer is not trainable.
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  /// Copies of the weights' values, in weights() order (Keras get_weights).
  std::vector<Tensor> get_weights() const;
  /// Assigns `values` to the weights in weights() order. The count and every shape are checked
  /// before anything is assigned (std::invalid_argument naming the weight, the expected and the
  /// given shape); float values of the other precision are converted.
  void set_weights(const std::vector<Tensor>& values);
  /// Number of weight elements; std::logic_error before the layer is built.
  std::int64_t count_params() const;
  /// The regularization terms to add to the training loss (Keras layer.losses): one per
  /// regularized weight (sublayers' included), from the moment the weight exists, on the
  /// weights' current values (re-evaluated when a value has changed since the last call or
  /// read), then the activity terms of the last call (spec §5). The reference stays valid until
  /// the layer is next used.
  const std::vector<Tensor>& losses() const;

  /// The uniform call a model makes: `inputs`, the mask that came with them (may be undefined),
  /// and the mode. The default throws std::logic_error (a layer that needs more than one input).
  virtual LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training);
  /// The call a functional model makes: `inputs` (one tensor for most layers; an RNN's further
  /// tensors are its initial_state, a merge layer's are its operands), one mask per input (each
  /// may be undefined), and the mode. The default takes exactly one input and runs forward();
  /// another count throws std::invalid_argument naming the layer, the expected and the given
  /// count.
  virtual CallOutput forward_inputs(const std::vector<Tensor>& inputs,
                                    const std::vector<Tensor>& masks, bool training);
  /// The activity regularization terms of the last call, the tail of losses().
  const std::vector<Tensor>& call_activity_losses() const { return activity_losses_; }
  /// The first sample of `inputs` [N, ...] whose values forward() would refuse, found without
  /// computing anything, so that a model can refuse its data before the first update; nothing
  /// when every value is acceptable (forward() checks dtype and shape itself). The default finds
  /// none; Embedding reports an id that is not an integer in [0, input_dim).
  virtual std::optional<BadSample> find_bad_sample(const Tensor& /*inputs*/) const {
    return std::nullopt;
  }
  /// Whether the layer keeps state between calls (Keras `stateful`).
  virtual bool stateful() const { return false; }
  /// Zeroes the kept state; std::logic_error unless stateful() (Keras reset_states()).
  virtual void reset_states();

 protected:
  /// `default_name` is the Keras snake_case class name the unique default name is drawn from.
  Layer(const LayerOptions& options, std::string_view default_name);

  /// Creates a weight named "<scope>/<layer>/<name>:0" holding initializer(shape, dtype()),
  /// whose regularizer joins losses() and whose constraint the optimizer applies (Keras
  /// add_weight).
  Variable add_weight(std::string_view name, const Shape& shape,
                      const initializers::AnyInitializer& initializer,
                      regularizers::AnyRegularizer regularizer = nullptr,
                      constraints::AnyConstraint constraint = nullptr, bool trainable = true);
  void set_built() { built_ = true; }
  /// Makes `sublayer` part of this layer: its weights are named inside this layer's scope and it
  /// follows this layer's trainable flag. Call before the sublayer creates weights.
  void adopt(Layer& sublayer) const;
  /// Layers whose weights and regularization losses this layer includes.
  virtual std::vector<Layer*> sublayers() const { return {}; }
  /// Ends a call: losses() becomes the weight penalties (own and sublayers') evaluated now, then
  /// `activity_losses`.
  void set_call_losses(std::vector<Tensor> activity_losses);
  /// The activity penalty of one output: regularizer(output) divided by output's shape[0], the
  /// batch size (spec §5).
  static Tensor activity_loss(const regularizers::AnyRegularizer& regularizer,
                              const Tensor& output);
  /// "SimpleRNN 'simple_rnn'", the prefix of this layer's error messages.
  std::string label() const;

 private:
  struct TrackedWeight {
    Variable variable;
    regularizers::AnyRegularizer regularizer;
    bool declared_trainable = true;
  };
  /// Which value, at which version, each regularized weight holds.
  using PenaltyKey = std::vector<std::pair<const void*, std::uint64_t>>;
  void collect_weights(std::vector<const TrackedWeight*>& out) const;
  std::vector<const TrackedWeight*> tracked_weights() const;
  PenaltyKey penalty_key() const;
  /// losses_ becomes the weight penalties evaluated now, then activity_losses_.
  void evaluate_losses() const;

  std::string name_;
  std::string scope_;
  DType dtype_ = DType::f32;
  bool trainable_ = true;
  bool built_ = false;
  std::vector<TrackedWeight> weights_;
  std::vector<Tensor> activity_losses_;
  // A cache of what losses() returns, refreshed when the weights' values change.
  mutable std::vector<Tensor> losses_;
  mutable PenaltyKey losses_key_;
};

}  // namespace rnnkit::layers
