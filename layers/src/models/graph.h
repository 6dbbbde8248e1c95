#pragma once

#include <rnnkit/framework/dtype.h>
#include <rnnkit/framework/shape.h>
#include <rnnkit/layers/layer.h>
#include <rnnkit/models/input.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rnnkit::models::detail {

/// One recorded call (Keras Node), or an input when `layer` is null. Immutable once recorded.
struct GraphNode {
  std::shared_ptr<layers::Layer> layer;  ///< null for an Input
  std::string input_name;                ///< an Input's name
  /// The call's tensors: its inputs, then an RNN's initial_state.
  std::vector<SymbolicTensor> inputs;
  std::size_t call_inputs = 0;  ///< how many of `inputs` were the call's inputs proper
  std::vector<Shape> output_shapes;
  std::vector<DType> output_dtypes;
  /// Order of recording across the process: a node is always recorded after its inputs.
  std::uint64_t sequence = 0;

  bool is_input() const { return layer == nullptr; }
  const std::string& name() const { return is_input() ? input_name : layer->name(); }
};

}  // namespace rnnkit::models::detail
