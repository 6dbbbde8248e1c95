#include "models/keras1_arguments.h"

#include <fmt/format.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rnnkit::models::detail {
namespace {

using Renames = std::vector<std::pair<std::string, std::string>>;

// The conversions of keras/legacy/interfaces.py (Keras 2.0): legacy_recurrent_support,
// legacy_dense_support, legacy_dropout_support, legacy_embedding_support.
const std::map<std::string, Renames, std::less<>>& renames() {
  static const std::map<std::string, Renames, std::less<>> table{
      {"SimpleRNN",
       {{"output_dim", "units"},
        {"init", "kernel_initializer"},
        {"inner_init", "recurrent_initializer"},
        {"W_regularizer", "kernel_regularizer"},
        {"U_regularizer", "recurrent_regularizer"},
        {"b_regularizer", "bias_regularizer"},
        {"dropout_W", "dropout"},
        {"dropout_U", "recurrent_dropout"},
        {"consume_less", "implementation"}}},
      {"Dense",
       {{"output_dim", "units"},
        {"init", "kernel_initializer"},
        {"W_regularizer", "kernel_regularizer"},
        {"b_regularizer", "bias_regularizer"},
        {"W_constraint", "kernel_constraint"},
        {"b_constraint", "bias_constraint"},
        {"bias", "use_bias"}}},
      {"Dropout", {{"p", "rate"}}},
      {"Embedding",
       {{"init", "embeddings_initializer"},
        {"W_regularizer", "embeddings_regularizer"},
        {"W_constraint", "embeddings_constraint"}}},
  };
  return table;
}

void rename(Config& config, std::string_view class_name, const std::string& from,
            const std::string& to) {
  if (!config.contains(from)) return;
  if (config.contains(to)) {
    throw std::invalid_argument(
        fmt::format("{} config: key '{}' is Keras 1's name for '{}', and both are given",
                    class_name, from, to));
  }
  config[to] = std::move(config[from]);
  config.erase(from);
}

}  // namespace

Config with_keras2_arguments(std::string_view class_name, const Config& config) {
  Config out = config;
  if (!out.is_object()) return out;
  const auto it = renames().find(class_name);
  if (it != renames().end()) {
    for (const auto& [from, to] : it->second) rename(out, class_name, from, to);
  }
  // The base Layer's legacy keyword (keras/engine/topology.py).
  rename(out, class_name, "input_dtype", "dtype");
  // embedding_kwargs_preprocessor drops Embedding's dropout; rnnkit drops only a zero one, so a
  // model that dropped embeddings is refused rather than loaded without it.
  if (class_name == "Embedding" && out.value("dropout", Config()) == 0.0) out.erase("dropout");
  // recurrent_args_preprocessor, and Keras 2 Dense's own constructor: input_dim (and
  // input_length) give input_shape, which a batch_input_shape overrides in the base Layer.
  if ((class_name == "SimpleRNN" || class_name == "Dense") && out.contains("input_dim")) {
    if (!out.contains("batch_input_shape")) {
      Config shape = Config::array({nullptr});
      if (class_name == "SimpleRNN") shape.push_back(out.value("input_length", Config()));
      shape.push_back(out["input_dim"]);
      out["batch_input_shape"] = std::move(shape);
    }
    out.erase("input_dim");
    out.erase("input_length");
  }
  return out;
}

}  // namespace rnnkit::models::detail
