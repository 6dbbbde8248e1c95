#pragma once

#include <rnnkit/framework/tensor.h>

#include <cstdint>
#include <optional>

namespace rnnkit::models::detail {

/// The first NaN or Inf of a tensor in row-major order.
struct NonFinite {
  std::int64_t sample = 0;  ///< its index along axis 0
  double value = 0.0;       ///< the NaN or Inf itself
};

/// The first NaN or Inf in `tensor`, found in one pass, or nothing; undefined, boolean and
/// integer tensors hold none.
std::optional<NonFinite> find_non_finite(const Tensor& tensor);

}  // namespace rnnkit::models::detail
