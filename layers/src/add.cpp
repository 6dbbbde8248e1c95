#include "rnnkit/layers/add.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>

#include "layer_config.h"
#include "merge.h"

namespace rnnkit::layers {

Add::Add(AddOptions options)
    : Layer(LayerOptions{.name = std::move(options.name),
                         .dtype = options.dtype,
                         .trainable = options.trainable},
            "add") {
  set_built();
}

Config Add::get_config() const { return Layer::get_config(); }

Add Add::from_config(const Config& config) {
  ConfigReader reader("Add config", config);
  AddOptions options;
  detail::read_base(reader, options);
  reader.finish();
  return Add(std::move(options));
}

Tensor Add::operator()(const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> values = detail::merge_inputs(label(), inputs, dtype());
  Shape shape = values[0].shape();
  for (std::size_t i = 1; i < values.size(); ++i) {
    try {
      shape = broadcast_shapes("Add", shape, values[i].shape());
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument(
          fmt::format("{}: inputs have incompatible shapes: expected one shape, given {}", label(),
                      detail::merge_shapes(inputs)));
    }
  }
  Tensor sum = values[0];
  for (std::size_t i = 1; i < values.size(); ++i) sum = sum + values[i];
  set_call_losses({});
  return sum;
}

CallOutput Add::forward_inputs(const std::vector<Tensor>& inputs, const std::vector<Tensor>& masks,
                               bool /*training*/) {
  CallOutput out{.outputs = {(*this)(inputs)}, .masks = {Tensor()}};
  Tensor kept;
  for (const Tensor& mask : masks) {
    if (!mask.defined()) continue;
    kept = kept.defined() ? kept * detail::mask_values(mask) : detail::mask_values(mask);
  }
  if (kept.defined()) out.masks[0] = not_equal(kept, 0.0);
  return out;
}

}  // namespace rnnkit::layers
