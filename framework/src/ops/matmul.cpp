// matmul and 2-D transpose.

#include "kernels/eigen/kernels.h"
#include "kernels/onednn/primitives.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

// c[M, N] = op(a) op(b) on whichever backend serves the dtype.
void gemm(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, Tensor& c,
          std::int64_t m, std::int64_t k, std::int64_t n) {
  if (a.dtype() == DType::f32) {
    kernels::onednn::matmul(a.data<float>(), transpose_a, b.data<float>(), transpose_b,
                            c.mutable_data<float>(), m, k, n);
    return;
  }
  kernels::eigen::matmul(a.data<double>(), transpose_a, b.data<double>(), transpose_b,
                         c.mutable_data<double>(), m, k, n);
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  detail::require_floating("matmul", a, "a");
  detail::require_floating("matmul", b, "b");
  detail::require_same_dtype("matmul", a, b);
  if ((a.dim() != 2 && a.dim() != 3) || b.dim() != 2) {
    throw std::invalid_argument(fmt::format(
        "matmul: expected [M, K] x [K, N] or [B, T, K] x [K, N], got {} x {}",
        shape_str(a.shape()), shape_str(b.shape())));
  }
  const std::int64_t k = a.size(-1);
  if (b.size(0) != k) {
    throw std::invalid_argument(fmt::format(
        "matmul: inner dimensions differ: a is {} (K={}) but b is {} (K={})",
        shape_str(a.shape()), k, shape_str(b.shape()), b.size(0)));
  }
  // [B, T, K] is contiguous, so it is the [B*T, K] matrix.
  const std::int64_t m = a.numel() / std::max<std::int64_t>(k, 1);
  const std::int64_t n = b.size(1);
  Shape out_shape = a.shape();
  out_shape.back() = n;
  Tensor out = Tensor::empty(out_shape, a.dtype());
  if (k == 0) out.fill_(0.0);
  else gemm(a, false, b, false, out, m, k, n);
  if (!needs_grad({&a, &b})) return out;
  SavedTensor sa(b.requires_grad() ? a : Tensor()), sb(a.requires_grad() ? b : Tensor());
  return record("matmul", {a, b}, out,
                [sa, sb, m, k, n](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  const Tensor& a_value = sa.get("matmul");
                  const Tensor& b_value = sb.get("matmul");
                  Tensor da, db;
                  if (b_value.defined()) {  // dA = dC . B^T
                    Shape a_shape = g[0].shape();
                    a_shape.back() = k;
                    da = Tensor::empty(a_shape, g[0].dtype());
                    gemm(g[0], false, b_value, true, da, m, n, k);
                  }
                  if (a_value.defined()) {  // dB = A^T . dC
                    db = Tensor::empty({k, n}, g[0].dtype());
                    gemm(a_value, true, g[0], false, db, k, m, n);
                  }
                  return {da, db};
                });
}

Tensor transpose(const Tensor& x) {
  detail::require_defined("transpose", x, "x");
  if (x.dim() != 2) {
    throw std::invalid_argument(
        fmt::format("transpose: expected a 2-D tensor, got shape {}", shape_str(x.shape())));
  }
  const std::int64_t rows = x.size(0), cols = x.size(1);
  Tensor out = Tensor::empty({cols, rows}, x.dtype());
  detail::dispatch_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::Map<M>(out.mutable_data<T>(), cols, rows) =
        Eigen::Map<const M>(x.data<T>(), rows, cols).transpose();
  });
  return record("transpose", {x}, out, [](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    return {transpose(g[0])};
  });
}

}  // namespace rnnkit
