// Sequential as data: get_config, to_json, from_config, model_from_json (spec §10).
#include <fmt/format.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "models/config_text.h"
#include "models/keras1_arguments.h"
#include "models/keras_input_layer.h"
#include "rnnkit/framework/config_reader.h"
#include "rnnkit/layers/serialization.h"
#include "rnnkit/models/sequential.h"

namespace rnnkit::models {
namespace {

constexpr const char* keras_version = "2.9.0";

Config input_layer_config(const Sequential& model, std::int64_t batch_size) {
  Config shape = Config::array();
  shape.push_back(batch_size > 0 ? Config(batch_size) : Config(nullptr));
  for (std::int64_t dim : model.input_shape())
    shape.push_back(dim < 0 ? Config(nullptr) : Config(dim));
  Config config = Config::object();
  config["batch_input_shape"] = std::move(shape);
  config["dtype"] = std::string(dtype_name(model.layer(0).dtype()));
  config["sparse"] = false;
  config["ragged"] = false;
  config["name"] = model.layer(0).name() + "_input";
  return Config{{"class_name", "InputLayer"}, {"config", std::move(config)}};
}

// A Sequential config's layer list: Keras 2.2+ writes {"name": ..., "layers": [...]}, Keras 2.0-2.1
// (and Keras 1) a bare list [...] (keras/engine/sequential.py, from_config).
const Config& layer_list(const Config& config) {
  if (config.is_array()) return config;
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array()) {
    throw std::invalid_argument(fmt::format(
        "Sequential.from_config: expected an object with a \"layers\" list, or a list of layers "
        "(Keras 2.0-2.1), got {}",
        describe_config_value(config)));
  }
  return config["layers"];
}

// "layer 2 'lstm' (class LSTM)", naming a layer entry in errors.
std::string describe_entry(std::size_t index, const Config& entry) {
  const Config* class_name =
      entry.is_object() && entry.contains("class_name") ? &entry["class_name"] : nullptr;
  const Config* config = entry.is_object() && entry.contains("config") ? &entry["config"] : nullptr;
  const Config* name = config != nullptr && config->is_object() && config->contains("name")
                           ? &(*config)["name"]
                           : nullptr;
  return fmt::format(
      "layer {} {} (class {})", index,
      name != nullptr && name->is_string() ? fmt::format("'{}'", name->get<std::string>())
                                           : std::string("(unnamed)"),
      class_name != nullptr && class_name->is_string() ? class_name->get<std::string>()
                                                       : std::string("(none)"));
}

// A TF.js model.json holds the model under "modelTopology", either as Keras's model JSON or
// wrapped in {"model_config": ...} with keras_version and backend (tfjs-layers
// src/models.ts, loadLayersModelFromIOHandler).
const Config& unwrapped_model(const Config& parsed) {
  if (!parsed.is_object() || !parsed.contains("modelTopology")) return parsed;
  const Config& topology = parsed["modelTopology"];
  if (topology.is_object() && topology.contains("model_config")) return topology["model_config"];
  return topology;
}

}  // namespace

Config Sequential::get_config() const {
  Config layers = Config::array();
  if (built_) layers.push_back(input_layer_config(*this, batch_size_));
  for (const auto& layer : layers_) layers.push_back(layers::serialize(*layer));
  Config config = Config::object();
  config["name"] = name_;
  config["layers"] = std::move(layers);
  return config;
}

std::string Sequential::to_json(int indent) const {
  const Config model{{"class_name", "Sequential"},
                     {"config", get_config()},
                     {"keras_version", keras_version},
                     {"backend", "tensorflow"}};
  return model.dump(indent);
}

Sequential Sequential::from_config(const Config& config) {
  layer_list(config);
  try {
    return from_layer_configs(config);
  } catch (const Config::exception& error) {
    throw std::invalid_argument(
        fmt::format("Sequential.from_config: malformed config: {}", error.what()));
  }
}

Sequential Sequential::from_layer_configs(const Config& config) {
  const Config& entries = layer_list(config);
  const Config name = config.is_object() ? config.value("name", Config("")) : Config("");
  if (!name.is_string()) {
    throw std::invalid_argument(
        fmt::format("Sequential.from_config: key 'name' must be a string, got {}", name.dump()));
  }
  Sequential model(name.get<std::string>());
  std::optional<detail::ModelInput> input;
  for (std::size_t index = 0; index < entries.size(); ++index) {
    const Config& entry = entries[index];
    try {
      if (entry.is_object() && entry.value("class_name", Config()) == "InputLayer") {
        input = detail::read_input_layer(entry.value("config", Config()));
        continue;
      }
      Config layer = entry;
      if (layer.is_object() && layer.contains("config") && layer.contains("class_name") &&
          layer["class_name"].is_string()) {
        layer["config"] =
            detail::with_keras2_arguments(layer["class_name"].get<std::string>(), layer["config"]);
      }
      // Keras without an InputLayer: the first layer's config may carry the input shape, a
      // base-layer keyword the model consumes.
      if (layer.is_object() && layer.contains("config") && layer["config"].is_object() &&
          layer["config"].contains("batch_input_shape")) {
        if (!input && model.size() == 0) {
          input = detail::read_batch_shape("layer config", "batch_input_shape",
                                           layer["config"]["batch_input_shape"]);
        }
        layer["config"].erase("batch_input_shape");
      }
      model.add(layers::deserialize(layer));
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(fmt::format("Sequential.from_config: {}: {}",
                                              describe_entry(index, entry), error.what()));
    } catch (const Config::exception& error) {
      throw std::invalid_argument(fmt::format("Sequential.from_config: {}: malformed config: {}",
                                              describe_entry(index, entry), error.what()));
    }
  }
  if (input && model.size() > 0) model.build(input->shape, input->batch_size);
  return model;
}

Sequential model_from_json(std::string_view json) {
  Config parsed;
  try {
    parsed = detail::parse_config_text(json);
  } catch (const Config::exception& error) {
    throw std::invalid_argument(fmt::format("model_from_json: not valid JSON: {}", error.what()));
  }
  const Config& model = unwrapped_model(parsed);
  const Config class_name = model.is_object() ? model.value("class_name", Config()) : Config();
  if (class_name == "Functional" || class_name == "Model") {
    throw std::invalid_argument(
        fmt::format("model_from_json: the JSON holds a functional model (class {}); read it with "
                    "functional_from_json, which returns a Model",
                    class_name.dump()));
  }
  if (!model.is_object() || class_name != "Sequential" || !model.contains("config")) {
    throw std::invalid_argument(fmt::format(
        "model_from_json: expected {{\"class_name\": \"Sequential\", \"config\": ...}} (or a "
        "TF.js model.json whose modelTopology holds one), got a model of class {}",
        model.is_object() && model.contains("class_name") ? model["class_name"].dump()
                                                          : std::string("(none)")));
  }
  return Sequential::from_config(model["config"]);
}

}  // namespace rnnkit::models
