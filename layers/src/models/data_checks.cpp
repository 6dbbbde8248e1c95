#include "models/data_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "models/non_finite.h"
#include "rnnkit/framework/losses.h"

namespace rnnkit::models::detail {
namespace {

// "sample 37, in batch 1 of batch_size 32 (counted before shuffling)".
std::string position(const Batching& batching, std::int64_t sample) {
  if (batching.batch_size == 0) return fmt::format("sample {}", sample);
  const bool validation = sample >= batching.held_out;
  const std::int64_t batch = (sample - (validation ? batching.held_out : 0)) / batching.batch_size;
  return fmt::format("sample {}, in {} {} of batch_size {}{}", sample,
                     validation ? "validation batch" : "batch", batch, batching.batch_size,
                     validation ? batching.validation_note : batching.training_note);
}

// What reads y as class ids: the sparse loss, or a metric that does ("accuracy" does when the
// outputs have more than one unit and y lacks their last axis or has a last axis of 1, as
// fit's metrics pick it); empty when nothing does.
std::string class_id_reader(const Sequential& model, const Tensor& y, const Shape& output) {
  if (dynamic_cast<const losses::SparseCategoricalCrossentropy*>(model.loss().get())) {
    return model.loss().name();
  }
  const std::int64_t units = output.back();
  const bool sparse_accuracy =
      units != 1 && (y.dim() < static_cast<std::int64_t>(output.size()) || y.size(-1) == 1);
  for (const std::string& metric : model.metric_names()) {
    if (metric == "sparse_categorical_accuracy") return metric;
    if ((metric == "accuracy" || metric == "acc") && sparse_accuracy) return metric;
  }
  return {};
}

}  // namespace

void require_finite(std::string_view who, std::string_view what, const Tensor& data,
                    const Batching& batching) {
  const std::optional<NonFinite> found = find_non_finite(data);
  if (!found) return;
  throw std::invalid_argument(
      fmt::format("{}: {} holds {} at {}; clean the data, or set allow_non_finite to use it as it "
                  "is",
                  who, what, found->value, position(batching, found->sample)));
}

void require_layer_inputs(std::string_view who, std::string_view what, const Sequential& model,
                          const Tensor& x, const Batching& batching) {
  if (model.size() == 0) return;
  if (const std::optional<layers::BadSample> bad = model.layer(0).find_bad_sample(x)) {
    throw std::invalid_argument(
        fmt::format("{}: {} at {}: {}", who, what, position(batching, bad->sample), bad->reason));
  }
}

void require_class_ids(std::string_view who, std::string_view what, const Sequential& model,
                       const Tensor& y, const Batching& batching) {
  const Shape& output = model.output_shapes().back();
  const std::int64_t classes = output.empty() ? -1 : output.back();
  if (classes < 0 || y.numel() == 0) return;
  const std::string reader = class_id_reader(model, y, output);
  if (reader.empty()) return;
  const std::vector<double> ids = y.to_vector();
  const auto bad = std::find_if(ids.begin(), ids.end(), [&](double id) {
    return !(std::trunc(id) == id) || id < 0 || id >= static_cast<double>(classes);
  });
  if (bad == ids.end()) return;
  const std::int64_t sample = (bad - ids.begin()) / (y.numel() / y.size(0));
  throw std::invalid_argument(fmt::format(
      "{}: {} holds class id {} at {}; {} takes integer class ids in [0, {}), one per unit of the "
      "model's output",
      who, what, *bad, position(batching, sample), reader, classes));
}

void require_like_x(std::string_view who, std::string_view what, const Tensor& data,
                    const Tensor& x) {
  const bool sequence = x.dim() >= 3 || (x.dim() == 2 && x.dtype() == DType::i64);
  bool like = data.dtype() == x.dtype() && data.dim() == x.dim();
  for (std::int64_t axis = 1; like && axis < x.dim(); ++axis) {
    like = data.size(axis) == x.size(axis) || (sequence && axis == 1);
  }
  if (like) return;
  throw std::invalid_argument(fmt::format(
      "{}: {} must hold samples like x's: {} of per-sample shape {}{}; got {} of shape {}", who,
      what, dtype_name(x.dtype()), shape_str(Shape(x.shape().begin() + 1, x.shape().end())),
      sequence ? " (the sequence length may differ)" : "", dtype_name(data.dtype()),
      shape_str(data.shape())));
}

}  // namespace rnnkit::models::detail
