// Sequential's files: save_weights, load_weights, save, load_model, in the archive format of
// framework/io.h. The metadata (JSON) lists the layers and their weight names, the optimizer's
// class and step counter, and for save() the architecture and compile settings.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "models/compiled.h"
#include "models/config_text.h"
#include "rnnkit/framework/io.h"
#include "rnnkit/framework/losses.h"
#include "rnnkit/layers/serialization.h"
#include "rnnkit/models/sequential.h"
#include "rnnkit/optim/serialization.h"

namespace rnnkit::models {
namespace {

constexpr const char* weights_group = "weights";
constexpr const char* optimizer_group = "optimizer";

// The compile settings as Keras's training_config, or null when the loss or the optimizer
// cannot be written as data (a user callable): such a model loads uncompiled.
Config training_config(const losses::AnyLoss& loss, const optim::Optimizer& optimizer,
                       const std::vector<std::string>& metrics) {
  try {
    return Config{{"loss", losses::serialize(loss)},
                  {"metrics", metrics},
                  {"optimizer_config", optim::serialize(optimizer)}};
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
}

Config parse_metadata(const io::Archive& archive, const std::filesystem::path& path,
                      std::string_view who) {
  Config metadata;
  try {
    metadata = detail::parse_config_text(archive.metadata);
  } catch (const Config::exception& error) {
    throw std::runtime_error(
        fmt::format("{}: '{}' has unreadable metadata: {}", who, path.string(), error.what()));
  }
  if (!metadata.is_object() || metadata.value("format", Config()) != "rnnkit" ||
      !metadata.contains("layers") || !archive.group(weights_group)) {
    throw std::runtime_error(
        fmt::format("{}: '{}' is an archive but not an rnnkit model file", who, path.string()));
  }
  return metadata;
}

}  // namespace

void Sequential::write_archive(const std::filesystem::path& path, bool include_optimizer,
                               bool include_model) const {
  Config layers = Config::array();
  std::vector<io::NamedTensor> tensors;
  for (const auto& layer : layers_) {
    Config names = Config::array();
    for (const Variable& weight : layer->weights()) {
      names.push_back(weight.name());
      tensors.push_back({weight.name(), weight.value()});
    }
    layers.push_back(Config{{"name", layer->name()},
                            {"class_name", layer->class_name()},
                            {"weights", std::move(names)}});
  }
  Config metadata{{"format", "rnnkit"}, {"layers", std::move(layers)}};
  io::Archive archive;
  archive.groups.emplace_back(weights_group, std::move(tensors));
  if (include_model) {
    metadata["model_config"] = Config{{"class_name", "Sequential"}, {"config", get_config()}};
    if (compiled_) {
      metadata["training_config"] =
          training_config(compiled_->loss, *compiled_->optimizer, compiled_->metrics);
    }
  }
  if (include_optimizer && compiled_) {
    // Slots are stored by weight position so that they load into a model whose layers got
    // other default names.
    const optim::OptimizerState state = compiled_->optimizer->state();
    const std::vector<Variable> all = weights();
    std::vector<io::NamedTensor> slots;
    for (const auto& [key, value] : state.slots) {
      for (std::size_t i = 0; i < all.size(); ++i) {
        const std::string prefix = all[i].name() + "/";
        if (key.starts_with(prefix)) {
          slots.push_back({fmt::format("{}/{}", i, key.substr(prefix.size())), value});
        }
      }
    }
    metadata["optimizer"] = Config{{"class_name", compiled_->optimizer->class_name()},
                                   {"iterations", state.iterations}};
    archive.groups.emplace_back(optimizer_group, std::move(slots));
  }
  archive.metadata = metadata.dump();
  io::save_archive(path, archive);
}

void Sequential::save_weights(const std::filesystem::path& path, bool include_optimizer) const {
  write_archive(path, include_optimizer, false);
}

void Sequential::save(const std::filesystem::path& path, bool include_optimizer) const {
  write_archive(path, include_optimizer, true);
}

void Sequential::load_weights(const std::filesystem::path& path) {
  const std::string who = fmt::format("Sequential '{}': load_weights", name_);
  if (!built_) {
    throw std::logic_error(fmt::format(
        "{}: the model is not built yet; call build(input_shape) or the model on data first", who));
  }
  const io::Archive archive = io::load_archive(path);
  const Config metadata = parse_metadata(archive, path, who);
  try {
    // A file of another model is refused by a message that names the file.
    restore_weights(archive, metadata, fmt::format("{}('{}')", who, path.string()));
  } catch (const Config::exception& error) {
    throw std::runtime_error(
        fmt::format("{}: '{}' has malformed metadata: {}", who, path.string(), error.what()));
  }
}

void Sequential::restore_weights(const io::Archive& archive, const Config& metadata,
                                 std::string_view who) {
  // Keras matches layers with weights in order, then weights in order (spec §10).
  std::vector<std::pair<std::string, std::size_t>> file_layers;
  for (const Config& layer : metadata.at("layers")) {
    if (!layer.at("weights").empty()) {
      file_layers.emplace_back(layer.at("name").get<std::string>(), layer.at("weights").size());
    }
  }
  std::vector<layers::Layer*> model_layers;
  for (const auto& layer : layers_) {
    if (!layer->weights().empty()) model_layers.push_back(layer.get());
  }
  if (file_layers.size() != model_layers.size()) {
    throw std::invalid_argument(fmt::format(
        "{}: layer count mismatch: the file has weights for {} layers, the model has {} layers "
        "with weights",
        who, file_layers.size(), model_layers.size()));
  }
  const std::vector<io::NamedTensor>& stored = *archive.group(weights_group);
  std::vector<Tensor> values;
  std::size_t next = 0;
  for (std::size_t l = 0; l < model_layers.size(); ++l) {
    const std::vector<Variable> weights = model_layers[l]->weights();
    if (file_layers[l].second != weights.size()) {
      throw std::invalid_argument(fmt::format(
          "{}: weight count mismatch for layer '{}': the file's layer '{}' has {} weights, the "
          "model's has {}",
          who, model_layers[l]->name(), file_layers[l].first, file_layers[l].second,
          weights.size()));
    }
    for (const Variable& weight : weights) {
      if (next >= stored.size()) {
        throw std::invalid_argument(
            fmt::format("{}: the file lists more weights than it holds", who));
      }
      const Tensor& value = stored[next++].value;
      if (!is_floating(value.dtype()) || value.shape() != weight.value().shape()) {
        throw std::invalid_argument(fmt::format(
            "{}: weight '{}' must be a float tensor of shape {}, the file has a {} tensor of "
            "shape {}",
            who, weight.name(), shape_str(weight.value().shape()), dtype_name(value.dtype()),
            shape_str(value.shape())));
      }
      values.push_back(value.to(weight.value().dtype()));
    }
  }
  if (next != stored.size()) {
    throw std::invalid_argument(
        fmt::format("{}: the file holds {} weight tensors but lists {}", who, stored.size(), next));
  }

  const std::vector<io::NamedTensor>* slots = archive.group(optimizer_group);
  std::unique_ptr<optim::OptimizerState> pending;
  std::string optimizer_class;
  if (metadata.contains("optimizer") && slots) {
    optim::OptimizerState state;
    state.iterations = metadata["optimizer"].at("iterations").get<std::int64_t>();
    const std::vector<Variable> all = weights();
    for (const io::NamedTensor& slot : *slots) {
      const std::size_t slash = slot.name.find('/');
      std::size_t index = all.size();
      const char* end = slot.name.data() + std::min(slash, slot.name.size());
      const auto parsed = std::from_chars(slot.name.data(), end, index);
      if (slash == std::string::npos || parsed.ptr != end || index >= all.size()) {
        throw std::invalid_argument(
            fmt::format("{}: optimizer slot '{}' does not name one of the model's {} weights", who,
                        slot.name, all.size()));
      }
      state.slots[all[index].name() + slot.name.substr(slash)] = slot.value;
    }
    optimizer_class = metadata["optimizer"].at("class_name").get<std::string>();
    if (compiled_ && compiled_->optimizer->class_name() == optimizer_class) {
      // Validates everything before changing the optimizer.
      compiled_->optimizer->load_state(state, trainable_weights());
    } else if (!compiled_) {
      pending = std::make_unique<optim::OptimizerState>(std::move(state));
    }
  }
  // Nothing is left of an earlier file's optimizer state.
  pending_optimizer_state_ = std::move(pending);
  pending_optimizer_class_ = pending_optimizer_state_ ? optimizer_class : std::string();
  set_weights(values);
}

Sequential load_model(const std::filesystem::path& path, bool compile) {
  const std::string who = fmt::format("load_model('{}')", path.string());
  const io::Archive archive = io::load_archive(path);
  const Config metadata = parse_metadata(archive, path, who);
  if (!metadata.contains("model_config")) {
    throw std::invalid_argument(
        fmt::format("{}: the file holds weights only (save_weights); rebuild the model and call "
                    "load_weights",
                    who));
  }
  try {
    Sequential model = model_from_json(metadata["model_config"].dump());
    const Config training = metadata.value("training_config", Config());
    if (compile && training.is_object()) {
      model.compile({.optimizer = optim::deserialize(training.at("optimizer_config")),
                     .loss = losses::deserialize(training.at("loss")),
                     .metrics = training.value("metrics", std::vector<std::string>{})});
    }
    if (model.built_) model.restore_weights(archive, metadata, who);
    return model;
  } catch (const Config::exception& error) {
    throw std::runtime_error(
        fmt::format("{}: the file has malformed metadata: {}", who, error.what()));
  }
}

}  // namespace rnnkit::models
