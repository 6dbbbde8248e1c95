#pragma once

#include <rnnkit/framework/config.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/layer.h>
#include <rnnkit/models/input.h>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// Keras's functional Model: a layer made of the graph between symbolic inputs and outputs.
namespace rnnkit::models {

/// Arguments of a Model call on concrete tensors besides the inputs.
struct ModelCallOptions {
  /// One mask per model input ([B, T] for a sequence), each may be undefined; empty: none.
  std::vector<Tensor> masks = {};
  /// Dropout and other training behaviour of every layer in the graph.
  bool training = false;
};

/// Keras Model(inputs, outputs, name) over layers called on symbolic tensors (class_name
/// "Functional"). It is a layers::Layer: weights, trainable and non-trainable weights,
/// get_weights/set_weights and count_params are its layers' in layers() order (shared layers
/// once), losses() holds their weight penalties and the activity terms of the last call.
///
/// The model shares its layers with the Shared handles that recorded the graph: changing a
/// layer through a handle changes the model. Called on concrete tensors it runs the nodes in
/// recording order (always a topological order), handing each output's mask on as Keras's
/// compute_mask does; autograd flows through, so gradients reach every weight and input.
/// Wrapped in Shared and called on symbolic tensors it becomes one node of another model.
/// Move-only, as every layer.
class Model : public layers::Layer {
 public:
  /// Collects the graph that computes `outputs` from `inputs`. std::invalid_argument (nothing
  /// recorded) when no input or no output is given, an input is given twice, a tensor in
  /// `inputs` is not an Input, an output depends on an Input that is not among `inputs`
  /// (naming it), or two different layers of the graph share a name. `name` empty picks
  /// "model", "model_1", ...
  Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs,
        std::string name = {});

  std::string class_name() const override { return "Functional"; }
  bool built() const override { return true; }

  const std::vector<SymbolicTensor>& inputs() const { return inputs_; }
  const std::vector<SymbolicTensor>& outputs() const { return outputs_; }
  /// The model's input names, in order (Keras input_names).
  std::vector<std::string> input_names() const;
  /// The layers that compute, each once, in Keras's model.layers order (deepest from the
  /// outputs first; ties in the order a depth-first walk from the outputs meets them), without
  /// the InputLayers. weights() and get_weights() follow it.
  std::vector<layers::Layer*> layers() const;
  /// The layer named `name`; std::invalid_argument listing the names when there is none.
  layers::Layer& get_layer(std::string_view name) const;

  /// Runs the graph on concrete `inputs`, one per model input in order, each checked against
  /// its Input's dtype family and known sizes before anything runs (std::invalid_argument
  /// naming the input, the expected and the given shape). Returns one tensor per output.
  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs,
                                 const ModelCallOptions& options = {});
  /// Like operator(), with the masks of the outputs too.
  layers::CallOutput forward_inputs(const std::vector<Tensor>& inputs,
                                    const std::vector<Tensor>& masks, bool training) override;
  /// Single-input, first-output form (as inside a Sequential).
  layers::LayerOutput forward(const Tensor& inputs, const Tensor& mask, bool training) override;
  bool stateful() const override;
  void reset_states() override;

  /// Keras's functional summary: layer (name and type), output shape, parameter count and
  /// "Connected to" (the inbound "layer[node][tensor]" of each call), then the totals.
  void summary(std::ostream& out) const;
  void summary() const;

  /// Keras's functional config: name, "layers" (InputLayers first, then each layer once as
  /// {"class_name", "config", "name", "inbound_nodes"}, where a node's inbound tensors are
  /// [layer, node_index, tensor_index, {}] and an RNN's tensors after the first are its
  /// initial_state), "input_layers" and "output_layers" ([layer, node_index, tensor_index]).
  Config get_config() const override;
  /// {"class_name": "Functional", "config": get_config(), "keras_version", "backend"} as JSON
  /// text; `indent` < 0 writes one line.
  std::string to_json(int indent = -1) const;
  /// The inverse of get_config(), also reading what Keras 2.2-2.3 and TensorFlow.js write
  /// (InputLayer "batch_input_shape", nested models of class "Model" or "Functional"). Layers
  /// are rebuilt with layers::deserialize and called node by node; a key that is missing or
  /// malformed, an unknown class or a reference to a layer or node that does not exist throws
  /// std::invalid_argument naming it.
  static Model from_config(const Config& config);

 protected:
  std::vector<layers::Layer*> sublayers() const override { return layers(); }

 private:
  std::vector<SymbolicTensor> inputs_;
  std::vector<SymbolicTensor> outputs_;
  std::vector<layers::Layer*> keras_layer_order() const;

  /// The nodes between inputs and outputs, Inputs excluded, in recording order.
  std::vector<std::shared_ptr<const detail::GraphNode>> nodes_;
  /// Each layer of nodes_ once, in keras_layer_order(); owned through nodes_.
  std::vector<layers::Layer*> layers_;
};

/// Rebuilds a functional model from Model::to_json() or Keras's JSON ({"class_name":
/// "Functional" or "Model", "config": ...}). The Sequential counterpart is model_from_json,
/// which keeps returning a Sequential; a JSON text of the other kind is refused by each with an
/// error naming the function to use.
Model functional_from_json(std::string_view json);

}  // namespace rnnkit::models
