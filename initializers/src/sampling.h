#pragma once

// Sampling helpers shared by the random initializers.

#include <vector>

#include <rnnkit/framework/random.h>
#include <rnnkit/framework/tensor.h>

namespace rnnkit::initializers::detail {

/// A standard normal draw, redrawn while farther than 2 from 0 (TensorFlow's truncated_normal).
double truncated_standard_normal(Generator& generator);

/// Uniform samples on [low, high) as a tensor of `dtype`. Rounding a sample to float32 (or a
/// double product) can land exactly on `high`; such values become the largest one below it, so
/// the interval stays half-open as in Keras.
Tensor uniform_tensor(const Shape& shape, const std::vector<double>& samples, double low,
                      double high, DType dtype);

}  // namespace rnnkit::initializers::detail
