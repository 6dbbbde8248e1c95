#include "rnnkit/optim/serialization.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/config_reader.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "rnnkit/optim/adagrad.h"
#include "rnnkit/optim/adam.h"
#include "rnnkit/optim/rmsprop.h"
#include "rnnkit/optim/sgd.h"
#include "shared_config.h"

namespace rnnkit::optim {
namespace {

using RebuildSchedule = std::shared_ptr<const LearningRateSchedule> (*)(const Config&);

template <class S>
std::shared_ptr<const LearningRateSchedule> rebuild_schedule(const Config& config) {
  return std::make_shared<S>(S::from_config(config));
}

const std::map<std::string, RebuildSchedule, std::less<>>& schedules() {
  static const std::map<std::string, RebuildSchedule, std::less<>> table{
      {"ExponentialDecay", &rebuild_schedule<ExponentialDecay>},
      {"InverseTimeDecay", &rebuild_schedule<InverseTimeDecay>},
      {"PiecewiseConstantDecay", &rebuild_schedule<PiecewiseConstantDecay>},
  };
  return table;
}

using RebuildOptimizer = AnyOptimizer (*)(const Config&);

template <class O>
AnyOptimizer rebuild_optimizer(const Config& config) {
  return O::from_config(config);
}

// Keyed by the lower-cased class name: Keras matches its built-in optimizers that way.
const std::map<std::string, RebuildOptimizer, std::less<>>& optimizers() {
  static const std::map<std::string, RebuildOptimizer, std::less<>> table{
      {"sgd", &rebuild_optimizer<SGD>},
      {"adam", &rebuild_optimizer<Adam>},
      {"rmsprop", &rebuild_optimizer<RMSprop>},
      {"adagrad", &rebuild_optimizer<Adagrad>},
  };
  return table;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

Config serialize(const LearningRateSchedule& schedule) {
  return keras_object(schedule.class_name(), schedule.get_config());
}

std::shared_ptr<const LearningRateSchedule> deserialize_schedule(const Config& config) {
  const KerasObject object = read_keras_object("learning rate schedule", config);
  const auto it = schedules().find(object.class_name);
  if (it == schedules().end()) {
    std::vector<std::string> names;
    for (const auto& entry : schedules()) names.push_back(entry.first);
    throw std::invalid_argument(
        fmt::format("learning rate schedule: unknown class name \"{}\"; expected one of: {}",
                    object.class_name, fmt::join(names, ", ")));
  }
  return it->second(*object.config);
}

Config serialize(const Optimizer& optimizer) {
  return keras_object(optimizer.class_name(), optimizer.get_config());
}

AnyOptimizer deserialize(const Config& config) {
  if (config.is_string()) return AnyOptimizer(config.get<std::string>());
  const KerasObject object = read_keras_object("optimizer", config);
  const auto it = optimizers().find(lower(object.class_name));
  if (it == optimizers().end()) {
    throw std::invalid_argument(
        fmt::format("optimizer: unknown class name \"{}\"; expected one of: {}", object.class_name,
                    fmt::join(AnyOptimizer::names(), ", ")));
  }
  return it->second(*object.config);
}

std::optional<std::vector<std::string>> slot_names_of_class(std::string_view class_name) {
  // Each class with the options that give it every slot it has.
  static const std::map<std::string, std::vector<std::string>, std::less<>> table{
      {"sgd", SGD({.momentum = 0.5}).slot_names()},
      {"adam", Adam({.amsgrad = true}).slot_names()},
      {"rmsprop", RMSprop({.momentum = 0.5, .centered = true}).slot_names()},
      {"adagrad", Adagrad().slot_names()},
  };
  const auto it = table.find(lower(std::string(class_name)));
  if (it == table.end()) return std::nullopt;
  return it->second;
}

namespace detail {

LearningRate read_learning_rate(ConfigReader& reader, LearningRate fallback) {
  const auto parse = [](const Config& value) -> LearningRate {
    if (value.is_number()) return value.get<double>();
    return deserialize_schedule(value);
  };
  LearningRate learning_rate = reader.parse("learning_rate", std::move(fallback), parse);
  return reader.parse("lr", std::move(learning_rate), parse);
}

}  // namespace detail

}  // namespace rnnkit::optim
