#pragma once

// Argument checks shared by the initializers.

#include <string_view>

#include <rnnkit/framework/tensor.h>

namespace rnnkit::initializers::detail {

/// Throws std::invalid_argument naming `initializer` unless every dimension is >= 0.
void require_valid_shape(std::string_view initializer, const Shape& shape);
/// Throws std::invalid_argument naming `initializer` unless `dtype` is float32 or float64.
void require_floating(std::string_view initializer, DType dtype);
/// Throws std::invalid_argument naming `initializer` and `argument` unless `value` is finite.
void require_finite(std::string_view initializer, std::string_view argument, double value);

}  // namespace rnnkit::initializers::detail
