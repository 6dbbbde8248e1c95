#pragma once

// float32 kernels on oneDNN primitives, all cached in the runtime's primitive cache. Pointers are
// to contiguous row-major buffers.

#include <cstdint>

#include <oneapi/dnnl/dnnl.hpp>

#include "rnnkit/framework/shape.h"

namespace rnnkit::kernels::onednn {

void eltwise_forward(dnnl::algorithm algorithm, float alpha, float beta, const float* src,
                     float* dst, std::int64_t n);
/// `data` is the forward source, or the forward destination for *_use_dst_for_bwd algorithms.
void eltwise_backward(dnnl::algorithm algorithm, float alpha, float beta, const float* data,
                      const float* diff_dst, float* diff_src, std::int64_t n);

/// out = a (op) b with a of out_shape and b broadcast to it (same rank, dims equal or 1).
void binary(dnnl::algorithm algorithm, const float* a, const float* b, const Shape& b_shape,
            float* out, const Shape& out_shape);

/// c[M, N] = op(a) op(b) where op transposes when asked; a is [M, K] (or [K, M] transposed).
void matmul(const float* a, bool transpose_a, const float* b, bool transpose_b, float* c,
            std::int64_t m, std::int64_t k, std::int64_t n);

/// c[M, N] = act(c + a . b), a [M, K] and b [K, N]: one recurrent step of a SimpleRNN in one
/// primitive (matmul with sum and eltwise post-ops). `act` is an eltwise algorithm with alpha and
/// beta 0.
void matmul_add_activate(dnnl::algorithm act, const float* a, const float* b, float* c,
                         std::int64_t m, std::int64_t k, std::int64_t n);

/// Sums src over the axes where dst_shape has 1 (both of one rank).
void reduce_sum(const float* src, const Shape& src_shape, float* dst, const Shape& dst_shape);

void softmax_forward(bool log, const float* src, float* dst, const Shape& shape, int axis);
void softmax_backward(bool log, const float* dst, const float* diff_dst, float* diff_src,
                      const Shape& shape, int axis);

}  // namespace rnnkit::kernels::onednn
