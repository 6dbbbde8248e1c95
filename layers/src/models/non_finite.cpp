#include "models/non_finite.h"

#include <algorithm>
#include <cmath>

namespace rnnkit::models::detail {
namespace {

template <class T>
std::optional<NonFinite> find_in(const Tensor& tensor) {
  const T* begin = tensor.data<T>();
  const T* end = begin + tensor.numel();
  const T* found = std::find_if(begin, end, [](T value) { return !std::isfinite(value); });
  if (found == end) return std::nullopt;
  const std::int64_t row_size = tensor.numel() / tensor.size(0);
  return NonFinite{.sample = (found - begin) / row_size, .value = static_cast<double>(*found)};
}

}  // namespace

std::optional<NonFinite> find_non_finite(const Tensor& tensor) {
  if (!tensor.defined() || tensor.numel() == 0) return std::nullopt;
  if (tensor.dtype() == DType::f32) return find_in<float>(tensor);
  if (tensor.dtype() == DType::f64) return find_in<double>(tensor);
  return std::nullopt;
}

}  // namespace rnnkit::models::detail
