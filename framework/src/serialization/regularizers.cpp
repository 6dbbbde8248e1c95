// regularizers::serialize / deserialize (spec §10).

#include "rnnkit/framework/regularizers.h"

#include <rnnkit/framework/config_reader.h>

namespace rnnkit::regularizers {

Config serialize(const AnyRegularizer& regularizer) {
  if (!regularizer) return nullptr;
  return keras_object(regularizer.get()->class_name(), regularizer.get()->get_config());
}

AnyRegularizer deserialize(const Config& config) {
  if (config.is_null()) return nullptr;
  if (config.is_string()) return AnyRegularizer(config.get<std::string>());
  const KerasObject object = read_keras_object("regularizer", config);
  const std::string class_name = AnyRegularizer(object.class_name).get()->class_name();
  if (class_name == "L1") return L1::from_config(*object.config);
  if (class_name == "L2") return L2::from_config(*object.config);
  Config factors = *object.config;
  if (object.class_name == "l1_l2") {
    // Keras calls its l1_l2 function here, whose defaults are 0.01 rather than L1L2's zeros.
    if (!factors.contains("l1")) factors["l1"] = 0.01;
    if (!factors.contains("l2")) factors["l2"] = 0.01;
  }
  return L1L2::from_config(factors);
}

}  // namespace rnnkit::regularizers
