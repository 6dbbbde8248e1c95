#include "rnnkit/framework/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "rnnkit/framework/autograd.h"

namespace rnnkit::metrics {
namespace {

// y_pred's shape without its last axis: the shape of the per-sample values.
Shape sample_shape(std::string_view who, const Tensor& y_pred) {
  if (!y_pred.defined() || y_pred.dim() < 1 || !is_floating(y_pred.dtype())) {
    throw std::invalid_argument(fmt::format("{}: y_pred must be a float tensor of rank >= 1", who));
  }
  Shape shape = y_pred.shape();
  shape.pop_back();
  return shape;
}

void require_elements(std::string_view who, const Tensor& y_true, const Tensor& y_pred,
                      std::int64_t expected, std::string_view what) {
  if (!y_true.defined() || y_true.numel() != expected) {
    throw std::invalid_argument(
        fmt::format("{}: y_true must hold {} ({} values for y_pred of shape {}), got shape {}", who,
                    what, expected, shape_str(y_pred.shape()),
                    y_true.defined() ? shape_str(y_true.shape()) : std::string("undefined")));
  }
}

std::int64_t argmax_of(const double* row, std::int64_t size) {
  std::int64_t best = 0;
  for (std::int64_t i = 1; i < size; ++i) {
    if (row[i] > row[best]) best = i;
  }
  return best;
}

Tensor as_values(Shape shape, const std::vector<double>& values, DType dtype) {
  return Tensor::from_values(std::move(shape), values, dtype);
}

}  // namespace

Tensor binary_accuracy(const Tensor& y_true, const Tensor& y_pred, double threshold) {
  NoGradGuard no_grad;
  Shape shape = sample_shape("binary_accuracy", y_pred);
  require_elements("binary_accuracy", y_true, y_pred, y_pred.numel(), "one label per prediction");
  const std::vector<double> truth = y_true.to_vector();
  const std::vector<double> pred = y_pred.to_vector();
  const std::int64_t width = y_pred.size(-1);
  std::vector<double> values(
      static_cast<std::size_t>(y_pred.numel() / std::max<std::int64_t>(width, 1)));
  for (std::size_t s = 0; s < values.size(); ++s) {
    double hits = 0.0;
    for (std::int64_t j = 0; j < width; ++j) {
      const std::size_t i = s * static_cast<std::size_t>(width) + static_cast<std::size_t>(j);
      hits += static_cast<double>(truth[i] == (pred[i] > threshold ? 1.0 : 0.0));
    }
    values[s] = hits / static_cast<double>(width);
  }
  return as_values(std::move(shape), values, y_pred.dtype());
}

Tensor categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  NoGradGuard no_grad;
  Shape shape = sample_shape("categorical_accuracy", y_pred);
  require_elements("categorical_accuracy", y_true, y_pred, y_pred.numel(), "one-hot labels");
  const std::vector<double> truth = y_true.to_vector();
  const std::vector<double> pred = y_pred.to_vector();
  const std::int64_t classes = y_pred.size(-1);
  std::vector<double> values(
      static_cast<std::size_t>(y_pred.numel() / std::max<std::int64_t>(classes, 1)));
  for (std::size_t s = 0; s < values.size(); ++s) {
    const std::size_t offset = s * static_cast<std::size_t>(classes);
    values[s] = static_cast<double>(argmax_of(truth.data() + offset, classes) ==
                                    argmax_of(pred.data() + offset, classes));
  }
  return as_values(std::move(shape), values, y_pred.dtype());
}

Tensor sparse_categorical_accuracy(const Tensor& y_true, const Tensor& y_pred) {
  NoGradGuard no_grad;
  Shape shape = sample_shape("sparse_categorical_accuracy", y_pred);
  const std::int64_t classes = y_pred.size(-1);
  const std::int64_t samples = y_pred.numel() / std::max<std::int64_t>(classes, 1);
  require_elements("sparse_categorical_accuracy", y_true, y_pred, samples,
                   "one class id per sample");
  const std::vector<double> truth = y_true.to_vector();
  const std::vector<double> pred = y_pred.to_vector();
  std::vector<double> values(static_cast<std::size_t>(samples));
  for (std::size_t s = 0; s < values.size(); ++s) {
    const auto predicted = static_cast<double>(
        argmax_of(pred.data() + s * static_cast<std::size_t>(classes), classes));
    values[s] = static_cast<double>(truth[s] == predicted);
  }
  return as_values(std::move(shape), values, y_pred.dtype());
}

}  // namespace rnnkit::metrics
