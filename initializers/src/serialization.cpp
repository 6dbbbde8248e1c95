#include "rnnkit/initializers/serialization.h"

#include <fmt/format.h>
#include <rnnkit/framework/config_reader.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "rnnkit/initializers/initializers.h"

namespace rnnkit::initializers {
namespace {

using Rebuild = std::shared_ptr<const Initializer> (*)(const Config&);

template <class I>
std::shared_ptr<const Initializer> rebuild(const Config& config) {
  return std::make_shared<I>(I::from_config(config));
}

// Keyed by class_name(); the aliases reach it through AnyInitializer's names.
const std::map<std::string, Rebuild, std::less<>>& classes() {
  static const std::map<std::string, Rebuild, std::less<>> table{
      {"Zeros", &rebuild<Zeros>},
      {"Ones", &rebuild<Ones>},
      {"Constant", &rebuild<Constant>},
      {"Identity", &rebuild<Identity>},
      {"RandomUniform", &rebuild<RandomUniform>},
      {"RandomNormal", &rebuild<RandomNormal>},
      {"TruncatedNormal", &rebuild<TruncatedNormal>},
      {"VarianceScaling", &rebuild<VarianceScaling>},
      {"GlorotUniform", &rebuild<GlorotUniform>},
      {"GlorotNormal", &rebuild<GlorotNormal>},
      {"HeUniform", &rebuild<HeUniform>},
      {"HeNormal", &rebuild<HeNormal>},
      {"LecunUniform", &rebuild<LecunUniform>},
      {"LecunNormal", &rebuild<LecunNormal>},
      {"Orthogonal", &rebuild<Orthogonal>},
  };
  return table;
}

}  // namespace

Config serialize(const AnyInitializer& initializer) {
  const Initializer& held = initializer.get();
  return keras_object(held.class_name(), held.get_config());
}

AnyInitializer deserialize(const Config& config) {
  if (config.is_string()) return AnyInitializer(config.get<std::string>());
  const KerasObject object = read_keras_object("initializer", config);
  const std::string class_name = AnyInitializer(object.class_name).get().class_name();
  const auto it = classes().find(class_name);
  if (it == classes().end()) {
    throw std::logic_error(fmt::format("initializer: no from_config for class {}", class_name));
  }
  return AnyInitializer(it->second(*object.config));
}

}  // namespace rnnkit::initializers
