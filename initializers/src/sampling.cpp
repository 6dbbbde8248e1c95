#include "sampling.h"

#include <cmath>
#include <cstdint>

namespace rnnkit::initializers::detail {
namespace {

template <class T>
void keep_below_high(T* values, std::int64_t count, double low, double high) {
  const T top = static_cast<T>(high);
  if (!(static_cast<T>(low) < top)) return;
  const T below = std::nextafter(top, static_cast<T>(low));
  for (std::int64_t i = 0; i < count; ++i) {
    if (values[i] >= top) values[i] = below;
  }
}

}  // namespace

double truncated_standard_normal(Generator& generator) {
  double z = generator.normal();
  while (std::abs(z) > 2.0) z = generator.normal();
  return z;
}

Tensor uniform_tensor(const Shape& shape, const std::vector<double>& samples, double low,
                      double high, DType dtype) {
  Tensor out = Tensor::from_values(shape, samples, dtype);
  if (dtype == DType::f32) {
    keep_below_high(out.mutable_data<float>(), out.numel(), low, high);
  } else {
    keep_below_high(out.mutable_data<double>(), out.numel(), low, high);
  }
  return out;
}

}  // namespace rnnkit::initializers::detail
