// constraints::serialize / deserialize (spec §10).

#include "rnnkit/framework/constraints.h"

#include <rnnkit/framework/config_reader.h>

#include <map>
#include <memory>

namespace rnnkit::constraints {
namespace {

using Rebuild = AnyConstraint (*)(const Config&);

template <class C>
AnyConstraint rebuild(const Config& config) {
  return C::from_config(config);
}

// Keyed by class_name(); the aliases reach it through AnyConstraint's names.
const std::map<std::string, Rebuild, std::less<>>& classes() {
  static const std::map<std::string, Rebuild, std::less<>> table{
      {"MaxNorm", &rebuild<MaxNorm>},
      {"NonNeg", &rebuild<NonNeg>},
      {"UnitNorm", &rebuild<UnitNorm>},
      {"MinMaxNorm", &rebuild<MinMaxNorm>},
      {"RadialConstraint", &rebuild<RadialConstraint>},
  };
  return table;
}

}  // namespace

Config serialize(const AnyConstraint& constraint) {
  if (!constraint) return nullptr;
  return keras_object(constraint.get()->class_name(), constraint.get()->get_config());
}

AnyConstraint deserialize(const Config& config) {
  if (config.is_null()) return nullptr;
  if (config.is_string()) return AnyConstraint(config.get<std::string>());
  const KerasObject object = read_keras_object("constraint", config);
  const std::string class_name = AnyConstraint(object.class_name).get()->class_name();
  return classes().at(class_name)(*object.config);
}

}  // namespace rnnkit::constraints
