#include "models/batches.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>
#include <stdexcept>

#include "rnnkit/framework/random.h"

namespace rnnkit::models::detail {
namespace {

template <class T>
void copy_rows(const Tensor& from, Tensor& to, std::span<const std::int64_t> rows,
               std::int64_t row_size) {
  const T* source = from.data<T>();
  T* target = to.mutable_data<T>();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::copy_n(source + rows[r] * row_size, row_size,
                target + static_cast<std::int64_t>(r) * row_size);
  }
}

}  // namespace

Tensor take_rows(const Tensor& tensor, std::span<const std::int64_t> rows) {
  if (!tensor.defined()) return {};
  Shape shape = tensor.shape();
  const std::int64_t row_size = shape[0] == 0 ? 0 : tensor.numel() / shape[0];
  shape[0] = static_cast<std::int64_t>(rows.size());
  Tensor result = Tensor::empty(shape, tensor.dtype());
  switch (tensor.dtype()) {
    case DType::f32:
      copy_rows<float>(tensor, result, rows, row_size);
      break;
    case DType::f64:
      copy_rows<double>(tensor, result, rows, row_size);
      break;
    case DType::boolean:
      copy_rows<std::uint8_t>(tensor, result, rows, row_size);
      break;
    case DType::i64:
      copy_rows<std::int64_t>(tensor, result, rows, row_size);
      break;
  }
  return result;
}

Tensor take_range(const Tensor& tensor, std::int64_t start, std::int64_t stop) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(stop - start));
  std::iota(rows.begin(), rows.end(), start);
  return take_rows(tensor, rows);
}

std::vector<std::int64_t> sample_order(std::int64_t count, bool shuffle) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  if (shuffle) {
    std::mt19937_64 engine(draw_global_seed());
    std::shuffle(order.begin(), order.end(), engine);
  }
  return order;
}

void require_samples(std::string_view who, std::string_view what, const Tensor& tensor) {
  if (!tensor.defined() || tensor.dim() < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: {} must be a tensor with the samples on axis 0 (rank >= 1), got {}", who, what,
        tensor.defined() ? fmt::format("rank {}", tensor.dim()) : std::string("an undefined one")));
  }
}

void require_input_mask(std::string_view who, const Tensor& mask, const Tensor& x) {
  if (!mask.defined()) return;
  if (x.dim() < 2 || mask.dim() != 2 || mask.size(0) != x.size(0) || mask.size(1) != x.size(1)) {
    throw std::invalid_argument(fmt::format(
        "{}: mask must be [samples, timesteps] of the inputs, {} for inputs of shape {}; got {}",
        who, x.dim() >= 2 ? shape_str({x.size(0), x.size(1)}) : std::string("none possible"),
        shape_str(x.shape()), shape_str(mask.shape())));
  }
}

}  // namespace rnnkit::models::detail
