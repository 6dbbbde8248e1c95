#include "rnnkit/layers/concatenate.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>

#include "layer_config.h"
#include "merge.h"

namespace rnnkit::layers {

Concatenate::Concatenate(ConcatenateOptions options)
    : Layer(LayerOptions{.name = std::move(options.name),
                         .dtype = options.dtype,
                         .trainable = options.trainable},
            "concatenate"),
      options_(std::move(options)) {
  set_built();
}

Config Concatenate::get_config() const {
  return detail::ConfigWriter(label(), Layer::get_config()).value("axis", options_.axis).take();
}

Concatenate Concatenate::from_config(const Config& config) {
  ConfigReader reader("Concatenate config", config);
  ConcatenateOptions options;
  detail::read_base(reader, options);
  options.axis = reader.integer("axis", options.axis);
  reader.finish();
  return Concatenate(std::move(options));
}

Tensor Concatenate::operator()(const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> values = detail::merge_inputs(label(), inputs, dtype());
  const std::size_t rank = values[0].shape().size();
  const auto rank_i = static_cast<std::int64_t>(rank);
  if (options_.axis < -rank_i || options_.axis >= rank_i) {
    throw std::invalid_argument(
        fmt::format("{}: axis {} is outside inputs of rank {} (expected -{} to {})", label(),
                    options_.axis, rank, rank, rank - 1));
  }
  const auto axis =
      static_cast<std::size_t>(options_.axis < 0 ? options_.axis + rank_i : options_.axis);
  for (const Tensor& value : values) {
    bool fits = value.shape().size() == rank;
    for (std::size_t a = 0; fits && a < rank; ++a) {
      fits = a == axis || value.shape()[a] == values[0].shape()[a];
    }
    if (!fits) {
      throw std::invalid_argument(
          fmt::format("{}: a Concatenate layer requires inputs with matching shapes except for the "
                      "concatenation axis {}; given shapes {}",
                      label(), options_.axis, detail::merge_shapes(inputs)));
    }
  }
  set_call_losses({});
  return concat(values, static_cast<std::int64_t>(axis));
}

CallOutput Concatenate::forward_inputs(const std::vector<Tensor>& inputs,
                                       const std::vector<Tensor>& masks, bool /*training*/) {
  CallOutput out{.outputs = {(*this)(inputs)}, .masks = {Tensor()}};
  bool any_mask = false;
  for (const Tensor& mask : masks) any_mask = any_mask || mask.defined();
  if (!any_mask) return out;
  const std::int64_t last = static_cast<std::int64_t>(inputs[0].shape().size()) - 1;
  const bool on_last = options_.axis == -1 || options_.axis == last;
  std::vector<Tensor> parts;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& mask = i < masks.size() ? masks[i] : Tensor();
    if (!mask.defined()) {
      Shape shape = inputs[i].shape();
      if (!on_last) shape.back() = 1;
      parts.push_back(Tensor::ones(shape, DType::f64));
      continue;
    }
    Tensor values = detail::mask_values(mask);
    if (values.dim() < inputs[i].dim()) {
      Shape shape = values.shape();
      shape.push_back(1);
      values = values.reshape(shape);
    }
    parts.push_back(values);
  }
  const Tensor joined = concat(parts, options_.axis);
  const auto size = static_cast<double>(joined.shape().back());
  // Kept when kept in all of the last axis: the 0/1 values there sum to its size.
  out.masks[0] = greater(sum(joined, -1), size - 0.5);
  return out;
}

}  // namespace rnnkit::layers
