#include "checks.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace rnnkit::initializers::detail {

void require_valid_shape(std::string_view initializer, const Shape& shape) {
  for (auto d : shape) {
    if (d < 0) {
      throw std::invalid_argument(fmt::format("{}: dimensions must be non-negative, got shape {}",
                                              initializer, shape_str(shape)));
    }
  }
}

void require_floating(std::string_view initializer, DType dtype) {
  if (!is_floating(dtype)) {
    throw std::invalid_argument(fmt::format("{}: expected dtype float32 or float64, got {}",
                                            initializer, dtype_name(dtype)));
  }
}

void require_finite(std::string_view initializer, std::string_view argument, double value) {
  if (!std::isfinite(value)) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be a finite number, got {}", initializer, argument, value));
  }
}

}  // namespace rnnkit::initializers::detail
