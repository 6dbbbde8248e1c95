#pragma once

// Everything a refused call must leave as it was, as text, so that a test compares the state
// before and after with one string equality (and prints both when they differ).

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/rnnkit.h>

#include <string>
#include <vector>

namespace rnnkit::testing {

// Everything observable about a tensor, as text: shape, dtype, values, version.
inline std::string state_of(const Tensor& tensor) {
  return fmt::format("{} {} [{}] v{}", shape_str(tensor.shape()), dtype_name(tensor.dtype()),
                     fmt::join(tensor.to_vector(), ", "), tensor.version());
}

inline std::string state_of(const std::vector<Tensor>& tensors) {
  std::string text;
  for (const Tensor& tensor : tensors) text += state_of(tensor) + "; ";
  return text;
}

inline std::string state_of(const layers::Layer& layer) {
  return fmt::format("{} built={} weights: {}", layer.get_config().dump(), layer.built(),
                     state_of(layer.get_weights()));
}

inline std::string state_of(const optim::Optimizer& optimizer) {
  const optim::OptimizerState state = optimizer.state();
  std::string slots;
  for (const auto& [name, value] : state.slots) slots += name + "=" + state_of(value) + "; ";
  return fmt::format("{} lr={} iterations={} slots: {}", optimizer.get_config().dump(),
                     optimizer.learning_rate(), state.iterations, slots);
}

inline std::string state_of(const models::Sequential& model) {
  std::string kept_states;
  for (const layers::Layer* layer : model.layers()) {
    if (const auto* rnn = dynamic_cast<const layers::RNN*>(layer); rnn && rnn->built()) {
      for (const Tensor& state : rnn->states()) {
        kept_states += state.defined() ? state_of(state) + "; " : "none; ";
      }
    }
  }
  return fmt::format(
      "{} built={} compiled={} metrics=[{}] stop={} weights: {} states: {} optimizer: {}",
      model.to_json(), model.built(), model.compiled(), fmt::join(model.metric_names(), ","),
      model.stop_training, state_of(model.get_weights()), kept_states,
      model.compiled() ? state_of(model.optimizer()) : "none");
}

}  // namespace rnnkit::testing
