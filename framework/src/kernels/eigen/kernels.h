#pragma once

// Eigen kernels: every float64 op, and the float32 ops oneDNN has no primitive for. Buffers are
// contiguous and row-major.

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "rnnkit/framework/shape.h"

namespace rnnkit::kernels::eigen {

template <class T>
using Vector = Eigen::Array<T, Eigen::Dynamic, 1>;
template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class T>
Eigen::Map<const Vector<T>> vec(const T* p, std::int64_t n) {
  return Eigen::Map<const Vector<T>>(p, n);
}
template <class T>
Eigen::Map<Vector<T>> vec(T* p, std::int64_t n) {
  return Eigen::Map<Vector<T>>(p, n);
}
template <class T>
Eigen::Map<const Matrix<T>> mat(const T* p, std::int64_t rows, std::int64_t cols) {
  return Eigen::Map<const Matrix<T>>(p, rows, cols);
}
template <class T>
Eigen::Map<Matrix<T>> mat(T* p, std::int64_t rows, std::int64_t cols) {
  return Eigen::Map<Matrix<T>>(p, rows, cols);
}

/// Row-major strides of `shape` aligned to `rank` dims, 0 where `shape` broadcasts (size 1 or
/// missing leading dims).
inline std::vector<std::int64_t> broadcast_strides(const Shape& shape, std::size_t rank) {
  std::vector<std::int64_t> strides(rank, 0);
  std::int64_t stride = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const std::size_t src = shape.size() - 1 - i;
    const std::size_t dst = rank - 1 - i;
    strides[dst] = shape[src] == 1 ? 0 : stride;
    stride *= shape[src];
  }
  return strides;
}

/// Visits every index of out_shape in row-major order, calling f(out_flat, a_flat, b_flat)
/// where a and b broadcast against out_shape.
template <class F>
void for_each_broadcast(const Shape& out_shape, const Shape& a_shape, const Shape& b_shape, F f) {
  const std::size_t rank = out_shape.size();
  const std::int64_t total = numel(out_shape);
  if (total == 0) return;
  const auto sa = broadcast_strides(a_shape, rank);
  const auto sb = broadcast_strides(b_shape, rank);
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t ia = 0, ib = 0;
  for (std::int64_t flat = 0; flat < total; ++flat) {
    f(flat, ia, ib);
    for (std::size_t d = rank; d-- > 0;) {
      ++index[d];
      ia += sa[d];
      ib += sb[d];
      if (index[d] < out_shape[d]) break;
      ia -= sa[d] * index[d];
      ib -= sb[d] * index[d];
      index[d] = 0;
    }
  }
}

/// out = op(a, b) with NumPy broadcasting; fast paths for equal shapes and scalar b.
template <class T, class Op>
void broadcast_binary(Op op, const T* a, const Shape& a_shape, const T* b, const Shape& b_shape,
                      T* out, const Shape& out_shape) {
  const std::int64_t n = numel(out_shape);
  if (a_shape == out_shape && b_shape == out_shape) {
    vec(out, n) = vec(a, n).binaryExpr(vec(b, n), op);
    return;
  }
  for_each_broadcast(
      out_shape, a_shape, b_shape,
      [&](std::int64_t o, std::int64_t i, std::int64_t j) { out[o] = op(a[i], b[j]); });
}

/// dst (of dst_shape, dims equal or 1, possibly fewer leading dims) = sum of src over the
/// broadcast axes.
template <class T>
void reduce_sum_to(const T* src, const Shape& src_shape, T* dst, const Shape& dst_shape) {
  const std::int64_t n = numel(dst_shape);
  vec(dst, n).setZero();
  for_each_broadcast(src_shape, src_shape, dst_shape,
                     [&](std::int64_t, std::int64_t i, std::int64_t j) { dst[j] += src[i]; });
}

/// dst[cols] = the sum of the rows of src [rows, cols] (rows >= 1), one row at a time.
template <class T>
void sum_rows(const T* src, std::int64_t rows, std::int64_t cols, T* dst) {
  auto out = vec(dst, cols);
  out = vec(src, cols);
  for (std::int64_t r = 1; r < rows; ++r) out += vec(src + r * cols, cols);
}

/// c[M, N] = op(a) op(b).
template <class T>
void matmul(const T* a, bool transpose_a, const T* b, bool transpose_b, T* c, std::int64_t m,
            std::int64_t k, std::int64_t n) {
  auto out = mat(c, m, n);
  const auto am = transpose_a ? mat(a, k, m) : mat(a, m, k);
  const auto bm = transpose_b ? mat(b, n, k) : mat(b, k, n);
  if (transpose_a && transpose_b)
    out.noalias() = am.transpose() * bm.transpose();
  else if (transpose_a)
    out.noalias() = am.transpose() * bm;
  else if (transpose_b)
    out.noalias() = am * bm.transpose();
  else
    out.noalias() = am * bm;
}

/// Splits shape at `axis` into (outer, extent, inner) for axis-wise loops.
struct AxisSplit {
  std::int64_t outer = 1, extent = 1, inner = 1;
};
inline AxisSplit split_at(const Shape& shape, int axis) {
  AxisSplit s;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    const auto d = shape[static_cast<std::size_t>(i)];
    if (i < axis)
      s.outer *= d;
    else if (i == axis)
      s.extent = d;
    else
      s.inner *= d;
  }
  return s;
}

/// Softmax (or log-softmax) of src along `axis`, numerically stabilised by the maximum.
template <class T>
void softmax_forward(bool log, const T* src, T* dst, const Shape& shape, int axis) {
  const auto s = split_at(shape, axis);
  for (std::int64_t o = 0; o < s.outer; ++o) {
    for (std::int64_t i = 0; i < s.inner; ++i) {
      const T* x = src + o * s.extent * s.inner + i;
      T* y = dst + o * s.extent * s.inner + i;
      T max = x[0];
      for (std::int64_t e = 1; e < s.extent; ++e) max = std::max(max, x[e * s.inner]);
      T total = 0;
      for (std::int64_t e = 0; e < s.extent; ++e) total += std::exp(x[e * s.inner] - max);
      for (std::int64_t e = 0; e < s.extent; ++e) {
        const T shifted = x[e * s.inner] - max;
        y[e * s.inner] = log ? shifted - std::log(total) : std::exp(shifted) / total;
      }
    }
  }
}

/// Gradient of softmax (dx = y (dy - sum(dy y))) or log-softmax (dx = dy - exp(y) sum(dy)).
template <class T>
void softmax_backward(bool log, const T* dst, const T* diff_dst, T* diff_src, const Shape& shape,
                      int axis) {
  const auto s = split_at(shape, axis);
  for (std::int64_t o = 0; o < s.outer; ++o) {
    for (std::int64_t i = 0; i < s.inner; ++i) {
      const std::int64_t base = o * s.extent * s.inner + i;
      T dot = 0;
      for (std::int64_t e = 0; e < s.extent; ++e) {
        const std::int64_t at = base + e * s.inner;
        dot += log ? diff_dst[at] : diff_dst[at] * dst[at];
      }
      for (std::int64_t e = 0; e < s.extent; ++e) {
        const std::int64_t at = base + e * s.inner;
        diff_src[at] =
            log ? diff_dst[at] - std::exp(dst[at]) * dot : dst[at] * (diff_dst[at] - dot);
      }
    }
  }
}

}  // namespace rnnkit::kernels::eigen
