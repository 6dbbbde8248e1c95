// The loss objects' Keras configs, and losses::serialize / deserialize (spec §9, §10).

#include "rnnkit/framework/losses.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/config_reader.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

namespace rnnkit::losses {
namespace {

// Keras calls its default reduction AUTO, which compile() resolves to sum_over_batch_size.
std::string_view keras_reduction(Reduction reduction) {
  return reduction == Reduction::sum_over_batch_size ? "auto" : reduction_name(reduction);
}

Reduction read_reduction(ConfigReader& reader) {
  return reader.parse("reduction", Reduction::sum_over_batch_size, [](const Config& value) {
    if (!value.is_string()) {
      throw std::invalid_argument(
          fmt::format("expected a reduction name, got {} {}", value.type_name(), value.dump()));
    }
    return parse_reduction(value.get<std::string>());
  });
}

// rnnkit's loss objects keep Keras's default name.
void read_name(ConfigReader& reader, std::string_view expected) {
  const std::string name = reader.string("name", std::string(expected));
  if (name != expected) {
    reader.fail("name", fmt::format("must be \"{}\" (rnnkit losses keep Keras's default name), "
                                    "got \"{}\"",
                                    expected, name));
  }
}

CrossentropyLossOptions read_crossentropy(ConfigReader& reader, std::string_view name) {
  CrossentropyLossOptions options;
  options.reduction = read_reduction(reader);
  read_name(reader, name);
  options.from_logits = reader.boolean("from_logits", options.from_logits);
  options.label_smoothing = reader.number("label_smoothing", options.label_smoothing);
  const std::int64_t axis = reader.integer("axis", -1);
  if (axis != -1) {
    reader.fail("axis",
                fmt::format("must be -1 (rnnkit reduces the last axis only), got {}", axis));
  }
  reader.finish();
  return options;
}

Config crossentropy_config(const Loss& loss, const CrossentropyLossOptions& options) {
  Config config = loss.Loss::get_config();
  config["from_logits"] = options.from_logits;
  config["label_smoothing"] = options.label_smoothing;
  config["axis"] = -1;
  return config;
}

LossOptions read_plain(const Config& config, std::string_view class_name, std::string_view name) {
  ConfigReader reader(fmt::format("{} config", class_name), config);
  const LossOptions options{.reduction = read_reduction(reader)};
  read_name(reader, name);
  reader.finish();
  return options;
}

using Rebuild = std::shared_ptr<const Loss> (*)(const Config&);

template <class L>
std::shared_ptr<const Loss> rebuild(const Config& config) {
  return std::make_shared<L>(L::from_config(config));
}

const std::map<std::string, Rebuild, std::less<>>& classes() {
  static const std::map<std::string, Rebuild, std::less<>> table{
      {"MeanSquaredError", &rebuild<MeanSquaredError>},
      {"MeanAbsoluteError", &rebuild<MeanAbsoluteError>},
      {"BinaryCrossentropy", &rebuild<BinaryCrossentropy>},
      {"CategoricalCrossentropy", &rebuild<CategoricalCrossentropy>},
      {"SparseCategoricalCrossentropy", &rebuild<SparseCategoricalCrossentropy>},
  };
  return table;
}

[[noreturn]] void throw_unknown(std::string_view name) {
  std::vector<std::string> valid = AnyLoss::names();
  for (const auto& entry : classes()) valid.push_back(entry.first);
  throw std::invalid_argument(
      fmt::format("loss: unknown name \"{}\"; expected one of: {}", name, fmt::join(valid, ", ")));
}

}  // namespace

Config Loss::get_config() const {
  return {{"reduction", std::string(keras_reduction(reduction()))}, {"name", name()}};
}

MeanSquaredError MeanSquaredError::from_config(const Config& config) {
  return MeanSquaredError(read_plain(config, "MeanSquaredError", "mean_squared_error"));
}

MeanAbsoluteError MeanAbsoluteError::from_config(const Config& config) {
  return MeanAbsoluteError(read_plain(config, "MeanAbsoluteError", "mean_absolute_error"));
}

Config BinaryCrossentropy::get_config() const { return crossentropy_config(*this, options_); }

BinaryCrossentropy BinaryCrossentropy::from_config(const Config& config) {
  ConfigReader reader("BinaryCrossentropy config", config);
  return BinaryCrossentropy(read_crossentropy(reader, "binary_crossentropy"));
}

Config CategoricalCrossentropy::get_config() const { return crossentropy_config(*this, options_); }

CategoricalCrossentropy CategoricalCrossentropy::from_config(const Config& config) {
  ConfigReader reader("CategoricalCrossentropy config", config);
  return CategoricalCrossentropy(read_crossentropy(reader, "categorical_crossentropy"));
}

Config SparseCategoricalCrossentropy::get_config() const {
  Config config = Loss::get_config();
  config["from_logits"] = options_.from_logits;
  return config;
}

SparseCategoricalCrossentropy SparseCategoricalCrossentropy::from_config(const Config& config) {
  ConfigReader reader("SparseCategoricalCrossentropy config", config);
  SparseCategoricalCrossentropyOptions options;
  options.reduction = read_reduction(reader);
  read_name(reader, "sparse_categorical_crossentropy");
  options.from_logits = reader.boolean("from_logits", options.from_logits);
  reader.finish();
  return SparseCategoricalCrossentropy(options);
}

Config serialize(const Loss& loss) { return keras_object(loss.class_name(), loss.get_config()); }

Config serialize(const AnyLoss& loss) {
  if (!loss) return nullptr;
  return serialize(*loss.get());
}

AnyLoss deserialize(const Config& config) {
  if (config.is_null()) return nullptr;
  if (config.is_string()) {
    const std::string name = config.get<std::string>();
    if (const auto it = classes().find(name); it != classes().end()) {
      return AnyLoss(it->second(Config::object()));
    }
    const std::vector<std::string> names = AnyLoss::names();
    if (std::find(names.begin(), names.end(), name) == names.end()) throw_unknown(name);
    return AnyLoss(name);
  }
  const KerasObject object = read_keras_object("loss", config);
  const auto it = classes().find(object.class_name);
  if (it == classes().end()) throw_unknown(object.class_name);
  return AnyLoss(it->second(*object.config));
}

}  // namespace rnnkit::losses
