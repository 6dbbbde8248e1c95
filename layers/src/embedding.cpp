#include "rnnkit/layers/embedding.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/ops.h>

#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include "checks.h"
#include "layer_config.h"

namespace rnnkit::layers {
namespace {

// Checked before the base class draws a default name, so a rejected layer consumes none.
LayerOptions checked_base_options(const EmbeddingOptions& options) {
  const std::string who =
      options.name.empty() ? "Embedding" : fmt::format("Embedding '{}'", options.name);
  detail::check_positive(who, "input_dim", options.input_dim);
  detail::check_positive(who, "output_dim", options.output_dim);
  if (options.input_length < 0) {
    throw std::invalid_argument(
        fmt::format("{}: input_length must be a positive integer, or 0 for None, got {}", who,
                    options.input_length));
  }
  return {.name = options.name, .dtype = options.dtype, .trainable = options.trainable};
}

// `options` with the positional constructor arguments, each given at most once.
EmbeddingOptions with_dims(std::int64_t input_dim, std::int64_t output_dim,
                           EmbeddingOptions options) {
  detail::check_given_once("Embedding", "input_dim", input_dim, options.input_dim);
  detail::check_given_once("Embedding", "output_dim", output_dim, options.output_dim);
  options.input_dim = input_dim;
  options.output_dim = output_dim;
  return options;
}

}  // namespace

Embedding::Embedding(EmbeddingOptions options)
    : Layer(checked_base_options(options), "embedding"), options_(std::move(options)) {}

Embedding::Embedding(std::int64_t input_dim, std::int64_t output_dim, EmbeddingOptions options)
    : Embedding(with_dims(input_dim, output_dim, std::move(options))) {}

Config Embedding::get_config() const {
  return detail::ConfigWriter(label(), Layer::get_config())
      .value("input_dim", options_.input_dim)
      .value("output_dim", options_.output_dim)
      .initializer("embeddings_initializer", options_.embeddings_initializer)
      .regularizer("embeddings_regularizer", options_.embeddings_regularizer)
      .regularizer("activity_regularizer", options_.activity_regularizer)
      .constraint("embeddings_constraint", options_.embeddings_constraint)
      .value("mask_zero", options_.mask_zero)
      .value("input_length",
             options_.input_length > 0 ? Config(options_.input_length) : Config(nullptr))
      .take();
}

Embedding Embedding::from_config(const Config& config) {
  ConfigReader reader("Embedding config", config);
  EmbeddingOptions options;
  detail::read_base(reader, options);
  options.input_dim = reader.integer("input_dim");
  options.output_dim = reader.integer("output_dim");
  options.embeddings_initializer =
      detail::read_initializer(reader, "embeddings_initializer", options.embeddings_initializer);
  options.embeddings_regularizer = detail::read_regularizer(reader, "embeddings_regularizer");
  options.activity_regularizer = detail::read_regularizer(reader, "activity_regularizer");
  options.embeddings_constraint = detail::read_constraint(reader, "embeddings_constraint");
  options.mask_zero = reader.boolean("mask_zero", options.mask_zero);
  detail::read_quantization_config(reader);
  const Config* length = reader.find("input_length");
  if (length != nullptr && !length->is_null())
    options.input_length = reader.integer("input_length");
  reader.finish();
  return Embedding(std::move(options));
}

void Embedding::check_input_shape(const Shape& input_shape) const {
  if (input_shape.empty()) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' is incompatible with the layer: expected min_ndim=1, found ndim=0. "
        "Full shape received: []",
        label()));
  }
  const std::int64_t length = options_.input_length;
  if (length > 0 && (input_shape.size() != 2 || input_shape[1] != length)) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' must have shape [batch, input_length] = [batch, {}], got {}",
        label(), length, shape_str(input_shape)));
  }
}

Tensor Embedding::checked_ids(const Tensor& inputs) const {
  if (!inputs.defined()) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' must be a tensor of ids, got an undefined tensor", label()));
  }
  const DType dtype = inputs.dtype();
  if (dtype != DType::i64 && !is_floating(dtype)) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'inputs' must hold int64 ids (or float32/float64 integers), got {} of "
        "shape {}",
        label(), dtype_name(dtype), shape_str(inputs.shape())));
  }
  check_input_shape(inputs.shape());
  if (const std::optional<BadId> bad = find_bad_id(inputs)) {
    throw std::invalid_argument(bad->reason);
  }
  return dtype == DType::i64 ? inputs : inputs.detach().to(DType::i64);
}

std::optional<Embedding::BadId> Embedding::find_bad_id(const Tensor& inputs) const {
  const auto out_of_range = [&](std::int64_t flat, auto id) {
    return BadId{flat,
                 fmt::format("{}: inputs{} = {} is not a valid id: ids must be in [0, input_dim) = "
                             "[0, {})",
                             label(), index_str(inputs.shape(), flat), id, options_.input_dim)};
  };
  if (inputs.dtype() == DType::i64) {
    const std::int64_t* ids = inputs.data<std::int64_t>();
    for (std::int64_t i = 0; i < inputs.numel(); ++i) {
      if (ids[i] < 0 || ids[i] >= options_.input_dim) return out_of_range(i, ids[i]);
    }
    return std::nullopt;
  }
  // Keras casts float ids to integers; a fractional one is a mistake worth reporting instead.
  const std::vector<double> values = inputs.to_vector();
  for (std::int64_t i = 0; i < inputs.numel(); ++i) {
    const double id = values[static_cast<std::size_t>(i)];
    if (!(std::trunc(id) == id)) {
      return BadId{i, fmt::format("{}: argument 'inputs' must hold integer ids, but inputs{} = {}",
                                  label(), index_str(inputs.shape(), i), id)};
    }
    if (id < 0 || id >= static_cast<double>(options_.input_dim)) return out_of_range(i, id);
  }
  return std::nullopt;
}

std::optional<BadSample> Embedding::find_bad_sample(const Tensor& inputs) const {
  if (!inputs.defined() || inputs.dim() < 1 || inputs.numel() == 0 ||
      (inputs.dtype() != DType::i64 && !is_floating(inputs.dtype()))) {
    return std::nullopt;
  }
  const std::optional<BadId> bad = find_bad_id(inputs);
  if (!bad) return std::nullopt;
  return BadSample{.sample = bad->flat / (inputs.numel() / inputs.size(0)), .reason = bad->reason};
}

void Embedding::build(const Shape& input_shape) {
  check_input_shape(input_shape);
  if (built()) return;
  embeddings_ = add_weight("embeddings", {options_.input_dim, options_.output_dim},
                           options_.embeddings_initializer, options_.embeddings_regularizer,
                           options_.embeddings_constraint);
  set_built();
}

Tensor Embedding::lookup(const Tensor& ids) {
  build(ids.shape());
  Tensor output = gather_rows(embeddings_.value(), ids);
  std::vector<Tensor> activity;
  if (options_.activity_regularizer) {
    activity.push_back(activity_loss(options_.activity_regularizer, output));
  }
  set_call_losses(std::move(activity));
  return output;
}

Tensor Embedding::operator()(const Tensor& inputs) { return lookup(checked_ids(inputs)); }

LayerOutput Embedding::forward(const Tensor& inputs, const Tensor&, bool) {
  const Tensor ids = checked_ids(inputs);
  LayerOutput out;
  out.outputs.push_back(lookup(ids));
  if (options_.mask_zero) out.mask = not_equal(ids, 0.0);
  return out;
}

}  // namespace rnnkit::layers
