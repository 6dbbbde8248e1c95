// Sequential's files: save_weights, load_weights, save, load_model, in the archive format of
// framework/io.h. The metadata (JSON) lists the layers and their weight names, the optimizer's
// class and step counter, and for save() the architecture and compile settings.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <new>
#include <stdexcept>

#include "models/compiled.h"
#include "models/config_text.h"
#include "rnnkit/framework/config_reader.h"
#include "rnnkit/framework/io.h"
#include "rnnkit/framework/losses.h"
#include "rnnkit/framework/messages.h"
#include "rnnkit/initializers/initial_values.h"
#include "rnnkit/layers/serialization.h"
#include "rnnkit/models/sequential.h"
#include "rnnkit/optim/serialization.h"

namespace rnnkit::models {
namespace {

constexpr const char* weights_group = "weights";
constexpr const char* optimizer_group = "optimizer";

// The compile settings as Keras's training_config, or null when the loss or the optimizer
// cannot be written as data (a user callable): such a model loads uncompiled, which a warning
// naming `who` says, as Keras warns of custom objects it cannot save.
Config training_config(const losses::AnyLoss& loss, const optim::Optimizer& optimizer,
                       const std::vector<std::string>& metrics, std::string_view who) {
  std::vector<std::string> unwritable;
  Config loss_config;
  Config optimizer_config;
  try {
    loss_config = losses::serialize(loss);
  } catch (const std::invalid_argument& error) {
    unwritable.push_back(fmt::format("the loss '{}' ({})", loss.name(), error.what()));
  }
  try {
    optimizer_config = optim::serialize(optimizer);
  } catch (const std::invalid_argument& error) {
    unwritable.push_back(
        fmt::format("the optimizer '{}' ({})", optimizer.class_name(), error.what()));
  }
  if (!unwritable.empty()) {
    warn(fmt::format("{}: {} cannot be written as data; the file loads as an uncompiled model", who,
                     fmt::join(unwritable, " and ")));
    return nullptr;
  }
  return Config{{"loss", std::move(loss_config)},
                {"metrics", metrics},
                {"optimizer_config", std::move(optimizer_config)}};
}

[[noreturn]] void malformed(std::string_view who, std::string_view key, std::string_view expected,
                            const Config& got) {
  throw std::runtime_error(fmt::format("{}: malformed metadata: key '{}' must be {}, got {}", who,
                                       key, expected, describe_config_value(got)));
}

const Config& member(const Config& object, std::string_view key, std::string_view who) {
  const auto found = object.find(key);
  if (found == object.end()) {
    throw std::runtime_error(fmt::format("{}: malformed metadata: key '{}' is missing", who, key));
  }
  return *found;
}

std::string string_member(const Config& object, std::string_view key, std::string_view who) {
  const Config& value = member(object, key, who);
  if (!value.is_string()) malformed(who, key, "a string", value);
  return value.get<std::string>();
}

std::int64_t count_member(const Config& object, std::string_view key, std::string_view who) {
  const Config& value = member(object, key, who);
  const bool fits = value.is_number_unsigned()
                        ? value.get<std::uint64_t>() <=
                              static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                        : value.is_number_integer() && value.get<std::int64_t>() >= 0;
  if (!fits) malformed(who, key, "a non-negative integer", value);
  return value.get<std::int64_t>();
}

const Config& list_member(const Config& object, std::string_view key, std::string_view who) {
  const Config& value = member(object, key, who);
  if (!value.is_array()) malformed(who, key, "a list", value);
  return value;
}

/// Refuses slots that the file's optimizer class does not have, e.g. Adam's "m" under a forged
/// "SGD". A class that is not built in is left to its own load_state.
void check_slot_names(const std::string& optimizer_class, const std::vector<io::NamedTensor>& slots,
                      std::string_view who) {
  const std::optional<std::vector<std::string>> known = optim::slot_names_of_class(optimizer_class);
  if (!known) return;
  for (const io::NamedTensor& slot : slots) {
    const std::size_t slash = slot.name.find('/');
    const std::string name = slot.name.substr(slash == std::string::npos ? 0 : slash + 1);
    if (std::ranges::find(*known, name) == known->end()) {
      throw std::invalid_argument(fmt::format(
          "{}: the file's optimizer of class {} cannot hold slot '{}' (tensor '{}'); its slots "
          "are: {}",
          who, optimizer_class, name, slot.name, fmt::join(*known, ", ")));
    }
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
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(
        fmt::format("{}: '{}' has metadata ({} bytes of JSON) that does not "
                    "fit in this process's memory once parsed",
                    who, path.string(), archive.metadata.size()));
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
          training_config(compiled_->loss, *compiled_->optimizer, compiled_->metrics,
                          fmt::format("Sequential '{}': save('{}')", name_, path.string()));
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
  for (const Config& layer : list_member(metadata, "layers", who)) {
    if (!layer.is_object()) malformed(who, "layers", "a list of objects", layer);
    std::string name = string_member(layer, "name", who);
    const std::size_t weight_count = list_member(layer, "weights", who).size();
    if (weight_count > 0) file_layers.emplace_back(std::move(name), weight_count);
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
  std::string mismatch_warning;
  if (metadata.contains("optimizer") && slots) {
    const Config& optimizer = metadata["optimizer"];
    if (!optimizer.is_object()) malformed(who, "optimizer", "an object", optimizer);
    optim::OptimizerState state;
    state.iterations = count_member(optimizer, "iterations", who);
    optimizer_class = string_member(optimizer, "class_name", who);
    check_slot_names(optimizer_class, *slots, who);
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
    if (compiled_ && compiled_->optimizer->class_name() == optimizer_class) {
      // Validates everything before changing the optimizer.
      compiled_->optimizer->load_state(state, trainable_weights());
    } else if (compiled_) {
      mismatch_warning = fmt::format(
          "{}: the file's optimizer state is of class {}, the model is compiled with {}; the "
          "weights are loaded, the optimizer state is not",
          who, optimizer_class, compiled_->optimizer->class_name());
    } else {
      pending = std::make_unique<optim::OptimizerState>(std::move(state));
    }
  }
  // Nothing is left of an earlier file's optimizer state.
  pending_optimizer_state_ = std::move(pending);
  pending_optimizer_class_ = pending_optimizer_state_ ? optimizer_class : std::string();
  set_weights(values);
  if (!mismatch_warning.empty()) warn(mismatch_warning);
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
    Sequential model = [&] {
      // The weights come from the file as the model is built: nothing is drawn, and nothing is
      // allocated that the file does not hold, whatever sizes its config declares.
      const initializers::ScopedInitialValues file_weights(who, *archive.group(weights_group));
      try {
        return model_from_json(metadata["model_config"].dump());
      } catch (const std::bad_alloc&) {
        // The pass that builds the model runs on zeros of the declared input shape.
        throw std::runtime_error(fmt::format(
            "{}: the model its config describes does not fit in this process's memory while it "
            "is built on its declared input shape",
            who));
      }
    }();
    const Config training = metadata.value("training_config", Config());
    if (compile && training.is_object()) {
      std::vector<std::string> metrics;
      if (training.contains("metrics")) {
        for (const Config& metric : list_member(training, "metrics", who)) {
          if (!metric.is_string()) malformed(who, "metrics", "a list of names", metric);
          metrics.push_back(metric.get<std::string>());
        }
      }
      model.compile({.optimizer = optim::deserialize(member(training, "optimizer_config", who)),
                     .loss = losses::deserialize(member(training, "loss", who)),
                     .metrics = std::move(metrics)});
    }
    if (model.built_) model.restore_weights(archive, metadata, who);
    return model;
  } catch (const Config::exception& error) {
    throw std::runtime_error(
        fmt::format("{}: the file has malformed metadata: {}", who, error.what()));
  }
}

}  // namespace rnnkit::models
