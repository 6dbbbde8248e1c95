// Reductions: sum, mean (all or along an axis), sum_to_shape, any, argmax.

#include <algorithm>
#include <cmath>

#include "kernels/eigen/kernels.h"
#include "kernels/onednn/primitives.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

// Whether summing `shape` to `target` (same rank) sums over leading axes only, and not over
// all of them: target is 1 up to some axis and equal to shape from there, as a bias's gradient
// over [B, T, U] is.
bool sums_leading_axes(const Shape& shape, const Shape& target) {
  std::size_t first_kept = 0;
  while (first_kept < target.size() && target[first_kept] == 1) ++first_kept;
  return first_kept < target.size() &&
         std::equal(target.begin() + static_cast<std::ptrdiff_t>(first_kept), target.end(),
                    shape.begin() + static_cast<std::ptrdiff_t>(first_kept));
}

// Sums x to `target` (same rank, dims equal or 1) on the backend serving the dtype.
Tensor reduce_to(std::string_view op, const Tensor& x, const Shape& target) {
  Tensor out = Tensor::empty(target, x.dtype());
  if (x.numel() > 0 && sums_leading_axes(x.shape(), target)) {
    // oneDNN 2.6 runs this on its scalar reference kernel, about a hundred times slower than
    // adding up rows.
    detail::dispatch_float(op, x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      kernels::eigen::sum_rows(x.data<T>(), x.numel() / out.numel(), out.numel(),
                               out.mutable_data<T>());
    });
    return out;
  }
  if (x.dtype() == DType::f32 && x.numel() > 0) {
    kernels::onednn::reduce_sum(x.data<float>(), x.shape(), out.mutable_data<float>(), target);
    return out;
  }
  detail::dispatch_float(op, x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    kernels::eigen::reduce_sum_to(x.data<T>(), x.shape(), out.mutable_data<T>(), target);
  });
  return out;
}

// Gradient of a sum: the output gradient broadcast back to the input's shape.
Tensor broadcast_to(const Tensor& g, const Shape& shape) {
  return add(Tensor::zeros(shape, g.dtype()), g);
}

Shape keepdims_shape(const Shape& shape, int axis) {
  Shape out = shape;
  out[static_cast<std::size_t>(axis)] = 1;
  return out;
}

}  // namespace

Tensor sum(const Tensor& x) {
  detail::require_floating("sum", x, "x");
  const Shape input_shape = x.shape();
  Tensor out = reduce_to("sum", x, Shape(input_shape.size(), 1)).reshape({});
  return record("sum", {x}, out,
                [input_shape](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  return {broadcast_to(g[0], input_shape)};
                });
}

Tensor sum(const Tensor& x, std::int64_t axis, bool keepdims) {
  detail::require_floating("sum", x, "x");
  const int a = normalize_axis("sum", axis, x.shape().size());
  const Shape input_shape = x.shape();
  const Shape kept = keepdims_shape(input_shape, a);
  Tensor out = reduce_to("sum", x, kept);
  if (!keepdims) {
    Shape dropped = input_shape;
    dropped.erase(dropped.begin() + a);
    out = out.reshape(dropped);
  }
  return record("sum", {x}, out,
                [input_shape, kept](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  return {broadcast_to(g[0].reshape(kept), input_shape)};
                });
}

Tensor mean(const Tensor& x) {
  detail::require_floating("mean", x, "x");
  return div(sum(x), static_cast<double>(std::max<std::int64_t>(x.numel(), 1)));
}

Tensor mean(const Tensor& x, std::int64_t axis, bool keepdims) {
  detail::require_floating("mean", x, "x");
  const int a = normalize_axis("mean", axis, x.shape().size());
  return div(sum(x, a, keepdims), static_cast<double>(std::max<std::int64_t>(x.size(a), 1)));
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  detail::require_floating("sum_to_shape", x, "x");
  if (x.shape() == shape) return x;
  // Validates that `shape` broadcasts to x's shape.
  if (broadcast_shapes("sum_to_shape", x.shape(), shape) != x.shape()) {
    throw std::invalid_argument(fmt::format("sum_to_shape: {} does not broadcast to {}",
                                            shape_str(shape), shape_str(x.shape())));
  }
  Shape aligned(x.shape().size() - shape.size(), 1);
  aligned.insert(aligned.end(), shape.begin(), shape.end());
  Tensor out = reduce_to("sum_to_shape", x, aligned).reshape(shape);
  const Shape input_shape = x.shape();
  return record("sum_to_shape", {x}, out,
                [input_shape](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  return {broadcast_to(g[0], input_shape)};
                });
}

Tensor any(const Tensor& mask, std::int64_t axis) {
  detail::require_defined("any", mask, "mask");
  if (mask.dtype() != DType::boolean) {
    throw std::invalid_argument(
        fmt::format("any: expected a bool mask, got {}", dtype_name(mask.dtype())));
  }
  const int a = normalize_axis("any", axis, mask.shape().size());
  Shape out_shape = mask.shape();
  out_shape.erase(out_shape.begin() + a);
  Tensor out = Tensor::zeros(out_shape, DType::boolean);
  const auto s = kernels::eigen::split_at(mask.shape(), a);
  const std::uint8_t* in = mask.data<std::uint8_t>();
  std::uint8_t* o = out.mutable_data<std::uint8_t>();
  for (std::int64_t i = 0; i < s.outer; ++i)
    for (std::int64_t e = 0; e < s.extent; ++e)
      for (std::int64_t j = 0; j < s.inner; ++j)
        o[i * s.inner + j] |= in[(i * s.extent + e) * s.inner + j];
  return out;
}

Tensor argmax(const Tensor& x, std::int64_t axis) {
  detail::require_floating("argmax", x, "x");
  const int a = normalize_axis("argmax", axis, x.shape().size());
  if (x.size(a) == 0) {
    throw std::invalid_argument(
        fmt::format("argmax: axis {} of shape {} is empty; expected at least one element along it",
                    a, shape_str(x.shape())));
  }
  Shape out_shape = x.shape();
  out_shape.erase(out_shape.begin() + a);
  Tensor out = Tensor::empty(out_shape, DType::i64);
  const auto s = kernels::eigen::split_at(x.shape(), a);
  detail::dispatch_float("argmax", x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    std::int64_t* o = out.mutable_data<std::int64_t>();
    for (std::int64_t i = 0; i < s.outer; ++i) {
      for (std::int64_t j = 0; j < s.inner; ++j) {
        const T* line = in + i * s.extent * s.inner + j;
        std::int64_t best = 0;
        // The first maximum, and a NaN beats any number, as in numpy.
        for (std::int64_t e = 1; e < s.extent && !std::isnan(line[best * s.inner]); ++e) {
          const T v = line[e * s.inner];
          if (std::isnan(v) || v > line[best * s.inner]) best = e;
        }
        o[i * s.inner + j] = best;
      }
    }
  });
  return out;
}

}  // namespace rnnkit
