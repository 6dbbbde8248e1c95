// Functional models as data: get_config, to_json, from_config, functional_from_json (Keras
// functional.get_network_config / reconstruct_from_config).

#include <fmt/format.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/models/functional.h>

#include <map>
#include <stdexcept>

#include "config_text.h"
#include "graph.h"

namespace rnnkit::models {
namespace {

constexpr const char* keras_version = "2.9.0";

std::string dtype_text(DType dtype) {
  return dtype == DType::i64 ? "int64" : dtype == DType::f64 ? "float64" : "float32";
}

Config input_layer_config(const SymbolicTensor& input) {
  Config shape = Config::array();
  for (std::int64_t size : input.shape()) shape.push_back(size < 0 ? Config() : Config(size));
  Config config{{"batch_input_shape", shape},
                {"dtype", dtype_text(input.dtype())},
                {"sparse", false},
                {"ragged", false},
                {"name", input.layer_name()}};
  return Config{{"class_name", "InputLayer"},
                {"config", config},
                {"name", input.layer_name()},
                {"inbound_nodes", Config::array()}};
}

[[noreturn]] void fail(std::string_view what) {
  throw std::invalid_argument(fmt::format("Functional config: {}", what));
}

const Config& member(const Config& object, std::string_view key, std::string_view where) {
  if (!object.is_object() || !object.contains(key)) {
    fail(fmt::format("{} needs the key \"{}\", given {}", where, key, object.dump()));
  }
  return object.at(std::string(key));
}

// [layer, node_index, tensor_index, ...] -> its three parts.
struct TensorRef {
  std::string layer;
  std::size_t node = 0;
  std::size_t tensor = 0;
};

TensorRef tensor_ref(const Config& entry, std::string_view where) {
  if (!entry.is_array() || entry.size() < 3 || !entry[0].is_string() ||
      !entry[1].is_number_unsigned() || !entry[2].is_number_unsigned()) {
    fail(fmt::format("{} must be [layer_name, node_index, tensor_index, ...], given {}", where,
                     entry.dump()));
  }
  return {entry[0].get<std::string>(), entry[1].get<std::size_t>(), entry[2].get<std::size_t>()};
}

SymbolicTensor input_from_config(const Config& config) {
  std::string where = "InputLayer " + config.dump();
  const Config& shape_config = config.contains("batch_input_shape")
                                   ? config.at("batch_input_shape")
                                   : member(config, "batch_shape", where);
  if (!shape_config.is_array() || shape_config.empty()) {
    fail(fmt::format("{}: batch_input_shape must be a list starting with the batch size", where));
  }
  Shape shape;
  for (const Config& size : shape_config) {
    if (size.is_null()) {
      shape.push_back(-1);
    } else if (size.is_number_integer()) {
      shape.push_back(size.get<std::int64_t>());
    } else {
      fail(fmt::format("{}: a size must be an integer or null, given {}", where, size.dump()));
    }
  }
  const std::int64_t batch = shape.front() < 0 ? 0 : shape.front();
  shape.erase(shape.begin());
  const std::string dtype = config.value("dtype", Config("float32")).get<std::string>();
  const DType type = dtype == "int64" || dtype == "int32" ? DType::i64 : parse_float_dtype(dtype);
  if (config.value("sparse", false) || config.value("ragged", false)) {
    fail(fmt::format("{}: sparse and ragged inputs are not supported", where));
  }
  return Input(std::move(shape), {.batch_size = batch,
                                  .dtype = type,
                                  .name = member(config, "name", where).get<std::string>()});
}

std::shared_ptr<layers::Layer> layer_from_config(const Config& entry) {
  const std::string class_name = member(entry, "class_name", "a layer").get<std::string>();
  if (class_name == "Functional" || class_name == "Model") {
    return std::make_shared<Model>(Model::from_config(member(entry, "config", class_name)));
  }
  return std::shared_ptr<layers::Layer>(layers::deserialize(
      Config{{"class_name", class_name}, {"config", member(entry, "config", class_name)}}));
}

}  // namespace

Config Model::get_config() const {
  std::map<const detail::GraphNode*, std::size_t> node_index;
  std::map<const layers::Layer*, std::size_t> calls;
  for (const auto& node : nodes_) node_index[node.get()] = calls[node->layer.get()]++;
  const auto ref = [&](const SymbolicTensor& t) {
    const auto found = node_index.find(t.node().get());
    return Config::array(
        {t.layer_name(), found == node_index.end() ? 0 : found->second, t.index()});
  };
  Config layer_list = Config::array();
  for (const SymbolicTensor& input : inputs_) layer_list.push_back(input_layer_config(input));
  for (layers::Layer* layer : layers()) {
    Config inbound = Config::array();
    for (const auto& node : nodes_) {
      if (node->layer.get() != layer) continue;
      Config tensors = Config::array();
      for (const SymbolicTensor& t : node->inputs) {
        Config entry = ref(t);
        entry.push_back(Config::object());
        tensors.push_back(std::move(entry));
      }
      inbound.push_back(std::move(tensors));
    }
    layer_list.push_back(Config{{"class_name", layer->class_name()},
                                {"config", layer->get_config()},
                                {"name", layer->name()},
                                {"inbound_nodes", std::move(inbound)}});
  }
  Config input_layers = Config::array();
  for (const SymbolicTensor& input : inputs_) input_layers.push_back(ref(input));
  Config output_layers = Config::array();
  for (const SymbolicTensor& output : outputs_) output_layers.push_back(ref(output));
  return Config{{"name", name()},
                {"layers", std::move(layer_list)},
                {"input_layers", std::move(input_layers)},
                {"output_layers", std::move(output_layers)}};
}

std::string Model::to_json(int indent) const {
  const Config json{{"class_name", "Functional"},
                    {"config", get_config()},
                    {"keras_version", keras_version},
                    {"backend", "tensorflow"}};
  return json.dump(indent);
}

Model Model::from_config(const Config& config) {
  const Config& layer_list = member(config, "layers", "the model config");
  if (!layer_list.is_array()) fail("\"layers\" must be a list");
  struct Pending {
    std::shared_ptr<layers::Layer> layer;
    const Config* inbound = nullptr;
    std::size_t done = 0;  // how many of its inbound nodes are recorded
  };
  std::vector<std::pair<std::string, Pending>> pending;
  // Each layer's recorded calls, node by node (an input has one).
  std::map<std::string, std::vector<std::vector<SymbolicTensor>>, std::less<>> calls;
  for (const Config& entry : layer_list) {
    const std::string class_name = member(entry, "class_name", "a layer").get<std::string>();
    const Config& layer_config = member(entry, "config", class_name);
    const std::string name = entry.contains("name")
                                 ? entry.at("name").get<std::string>()
                                 : member(layer_config, "name", class_name).get<std::string>();
    if (calls.contains(name)) fail(fmt::format("two layers are named '{}'", name));
    if (class_name == "InputLayer") {
      calls[name].push_back({input_from_config(layer_config)});
      continue;
    }
    const Config& inbound = member(entry, "inbound_nodes", "layer '" + name + "'");
    if (!inbound.is_array()) fail(fmt::format("layer '{}': inbound_nodes must be a list", name));
    calls[name];
    pending.emplace_back(name, Pending{layer_from_config(entry), &inbound, 0});
  }
  // Keras's reconstruction: record every node whose inbound tensors exist, until none is left.
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& [name, item] : pending) {
      while (item.done < item.inbound->size()) {
        const Config& node = (*item.inbound)[item.done];
        if (!node.is_array()) fail(fmt::format("layer '{}': an inbound node must be a list", name));
        std::vector<SymbolicTensor> tensors;
        bool ready = true;
        for (const Config& entry : node) {
          const TensorRef r = tensor_ref(entry, fmt::format("layer '{}': an inbound tensor", name));
          const auto found = calls.find(r.layer);
          if (found == calls.end()) {
            fail(fmt::format("layer '{}' takes a tensor of layer '{}', which is not in the model",
                             name, r.layer));
          }
          if (r.node >= found->second.size()) {
            ready = false;
            break;
          }
          if (r.tensor >= found->second[r.node].size()) {
            fail(fmt::format("layer '{}' takes tensor {} of node {} of layer '{}', which has {}",
                             name, r.tensor, r.node, r.layer, found->second[r.node].size()));
          }
          tensors.push_back(found->second[r.node][r.tensor]);
        }
        if (!ready) break;
        calls[name].push_back(detail::call_symbolic(item.layer, tensors, {}).tensors());
        ++item.done;
        progress = true;
      }
    }
  }
  for (const auto& [name, item] : pending) {
    if (item.done < item.inbound->size()) {
      fail(fmt::format("node {} of layer '{}' takes a tensor no layer of the model produces",
                       item.done, name));
    }
  }
  const auto tensors_of = [&](std::string_view key) {
    const Config& list = member(config, key, "the model config");
    if (!list.is_array()) fail(fmt::format("\"{}\" must be a list", key));
    std::vector<SymbolicTensor> out;
    for (const Config& entry : list) {
      const TensorRef r = tensor_ref(entry, key);
      const auto found = calls.find(r.layer);
      if (found == calls.end() || r.node >= found->second.size() ||
          r.tensor >= found->second[r.node].size()) {
        fail(fmt::format("{} names {}, which the model does not have", key, entry.dump()));
      }
      out.push_back(found->second[r.node][r.tensor]);
    }
    return out;
  };
  return Model(tensors_of("input_layers"), tensors_of("output_layers"),
               config.value("name", Config("")).get<std::string>());
}

Model functional_from_json(std::string_view json) {
  Config parsed;
  try {
    parsed = detail::parse_config_text(json);
  } catch (const Config::exception& error) {
    throw std::invalid_argument(
        fmt::format("functional_from_json: not valid JSON: {}", error.what()));
  }
  const Config class_name = parsed.is_object() ? parsed.value("class_name", Config()) : Config();
  if ((class_name != "Functional" && class_name != "Model") || !parsed.contains("config")) {
    throw std::invalid_argument(fmt::format(
        "functional_from_json: expected {{\"class_name\": \"Functional\" (or \"Model\"), "
        "\"config\": ...}}, given a model of class {}{}",
        class_name.is_null() ? std::string("(none)") : class_name.dump(),
        class_name == "Sequential" ? " (read it with model_from_json)" : ""));
  }
  return Model::from_config(parsed["config"]);
}

}  // namespace rnnkit::models
