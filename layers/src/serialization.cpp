#include "rnnkit/layers/serialization.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/config_reader.h>

#include <map>
#include <stdexcept>

#include "rnnkit/layers/activation.h"
#include "rnnkit/layers/add.h"
#include "rnnkit/layers/concatenate.h"
#include "rnnkit/layers/dense.h"
#include "rnnkit/layers/dropout.h"
#include "rnnkit/layers/embedding.h"
#include "rnnkit/layers/flatten.h"
#include "rnnkit/layers/masking.h"
#include "rnnkit/layers/rnn.h"
#include "rnnkit/layers/simple_rnn.h"
#include "rnnkit/layers/simple_rnn_cell.h"

namespace rnnkit::layers {
namespace {

using FromConfig = std::unique_ptr<Layer> (*)(const Config&);

template <class L>
std::unique_ptr<Layer> from_config(const Config& config) {
  return std::make_unique<L>(L::from_config(config));
}

// Keras class name -> the class whose static from_config rebuilds it. A new layer class joins
// with one line here, {"Name", &from_config<Name>}, once it has get_config and from_config.
const std::map<std::string, FromConfig, std::less<>>& classes() {
  static const std::map<std::string, FromConfig, std::less<>> table{
      {"Activation", &from_config<Activation>},
      {"Add", &from_config<Add>},
      {"Concatenate", &from_config<Concatenate>},
      {"Dense", &from_config<Dense>},
      {"Dropout", &from_config<Dropout>},
      {"Embedding", &from_config<Embedding>},
      {"Flatten", &from_config<Flatten>},
      {"Masking", &from_config<Masking>},
      {"RNN", &from_config<RNN>},
      {"SimpleRNN", &from_config<SimpleRNN>},
      {"SimpleRNNCell", &from_config<SimpleRNNCell>},
  };
  return table;
}

}  // namespace

Config serialize(const Layer& layer) {
  return keras_object(layer.class_name(), layer.get_config());
}

std::unique_ptr<Layer> deserialize(const Config& config) {
  const KerasObject object = read_keras_object("layer", config);
  const auto it = classes().find(object.class_name);
  if (it == classes().end()) {
    throw std::invalid_argument(fmt::format("layer: unknown class_name \"{}\"; expected one of: {}",
                                            object.class_name,
                                            fmt::join(deserializable_class_names(), ", ")));
  }
  return it->second(*object.config);
}

std::vector<std::string> deserializable_class_names() {
  std::vector<std::string> names;
  for (const auto& entry : classes()) names.push_back(entry.first);
  return names;
}

}  // namespace rnnkit::layers
