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
  /// The layers that compute, each once, in the order they were first called (Keras
  /// model.layers without the InputLayers).
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

 protected:
  std::vector<layers::Layer*> sublayers() const override { return layers(); }

 private:
  std::vector<SymbolicTensor> inputs_;
  std::vector<SymbolicTensor> outputs_;
  /// The nodes between inputs and outputs, Inputs excluded, in recording order.
  std::vector<std::shared_ptr<const detail::GraphNode>> nodes_;
};

}  // namespace rnnkit::models
