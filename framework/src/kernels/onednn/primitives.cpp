#include "kernels/onednn/primitives.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "kernels/onednn/runtime.h"
#include "kernels/threads.h"

namespace rnnkit::kernels::onednn {
namespace {

using dnnl::algorithm;
using dnnl::prop_kind;
using dt = dnnl::memory::data_type;

dnnl::memory::dims to_dims(const Shape& shape) {
  return shape.empty() ? dnnl::memory::dims{1} : dnnl::memory::dims(shape.begin(), shape.end());
}

dnnl::memory::desc flat_desc(std::int64_t n) { return plain_desc({n}, dt::f32); }

dnnl::eltwise_forward::primitive_desc eltwise_forward_pd(algorithm alg, float alpha, float beta,
                                                         std::int64_t n) {
  dnnl::eltwise_forward::desc desc(prop_kind::forward_training, alg, flat_desc(n), alpha, beta);
  return {desc, default_attributes(), engine()};
}

}  // namespace

void eltwise_forward(algorithm alg, float alpha, float beta, const float* src, float* dst,
                     std::int64_t n) {
  if (n == 0) return;
  const auto key = fmt::format("eltwise_fwd:{}:{}:{}:{}", static_cast<int>(alg), alpha, beta, n);
  const auto md = flat_desc(n);
  run_sized(n, [&] {
    auto p = cached_primitive(key, [&] {
      auto pd = eltwise_forward_pd(alg, alpha, beta, n);
      return CachedPrimitive{dnnl::eltwise_forward(pd), pd};
    });
    execute("eltwise", *p, {{DNNL_ARG_SRC, wrap(md, src)}, {DNNL_ARG_DST, wrap(md, dst)}});
  });
}

void eltwise_backward(algorithm alg, float alpha, float beta, const float* data,
                      const float* diff_dst, float* diff_src, std::int64_t n) {
  if (n == 0) return;
  const auto key = fmt::format("eltwise_bwd:{}:{}:{}:{}", static_cast<int>(alg), alpha, beta, n);
  const auto md = flat_desc(n);
  const bool uses_dst = alg == algorithm::eltwise_relu_use_dst_for_bwd ||
                        alg == algorithm::eltwise_tanh_use_dst_for_bwd ||
                        alg == algorithm::eltwise_elu_use_dst_for_bwd ||
                        alg == algorithm::eltwise_sqrt_use_dst_for_bwd ||
                        alg == algorithm::eltwise_logistic_use_dst_for_bwd ||
                        alg == algorithm::eltwise_exp_use_dst_for_bwd ||
                        alg == algorithm::eltwise_clip_v2_use_dst_for_bwd;
  run_sized(n, [&] {
    auto p = cached_primitive(key, [&] {
      const auto md = flat_desc(n);
      dnnl::eltwise_backward::desc desc(alg, md, md, alpha, beta);
      dnnl::eltwise_backward::primitive_desc pd(desc, default_attributes(), engine(),
                                                eltwise_forward_pd(alg, alpha, beta, n));
      return CachedPrimitive{dnnl::eltwise_backward(pd), pd};
    });
    execute("eltwise backward", *p,
            {{uses_dst ? DNNL_ARG_DST : DNNL_ARG_SRC, wrap(md, data)},
             {DNNL_ARG_DIFF_DST, wrap(md, diff_dst)},
             {DNNL_ARG_DIFF_SRC, wrap(md, diff_src)}});
  });
}

void binary(algorithm alg, const float* a, const float* b, const Shape& b_shape, float* out,
            const Shape& out_shape) {
  if (numel(out_shape) == 0) return;
  const auto key = fmt::format("binary:{}:{}:{}", static_cast<int>(alg), fmt::join(b_shape, "x"),
                               fmt::join(out_shape, "x"));
  const auto out_md = plain_desc(to_dims(out_shape), dt::f32);
  const auto b_md = plain_desc(to_dims(b_shape), dt::f32);
  run_sized(numel(out_shape), [&] {
    auto p = cached_primitive(key, [&] {
      dnnl::binary::desc desc(alg, out_md, b_md, out_md);
      dnnl::binary::primitive_desc pd(desc, default_attributes(), engine());
      return CachedPrimitive{dnnl::binary(pd), pd};
    });
    execute("binary", *p,
            {{DNNL_ARG_SRC_0, wrap(out_md, a)},
             {DNNL_ARG_SRC_1, wrap(b_md, b)},
             {DNNL_ARG_DST, wrap(out_md, out)}});
  });
}

void matmul(const float* a, bool transpose_a, const float* b, bool transpose_b, float* c,
            std::int64_t m, std::int64_t k, std::int64_t n) {
  if (m == 0 || n == 0) return;
  using tag = dnnl::memory::format_tag;
  const dnnl::memory::desc a_md({m, k}, dt::f32, transpose_a ? tag::ba : tag::ab);
  const dnnl::memory::desc b_md({k, n}, dt::f32, transpose_b ? tag::ba : tag::ab);
  const dnnl::memory::desc c_md({m, n}, dt::f32, tag::ab);
  const auto key = fmt::format("matmul:{}:{}:{}:{}:{}", m, k, n, transpose_a, transpose_b);
  run_sized(m * k * n, [&] {
    auto p = cached_primitive(key, [&] {
      dnnl::matmul::desc desc(a_md, b_md, c_md);
      dnnl::matmul::primitive_desc pd(desc, default_attributes(), engine());
      return CachedPrimitive{dnnl::matmul(pd), pd};
    });
    execute("matmul", *p,
            {{DNNL_ARG_SRC, wrap(a_md, a)},
             {DNNL_ARG_WEIGHTS, wrap(b_md, b)},
             {DNNL_ARG_DST, wrap(c_md, c)}});
  });
}

void matmul_add_activate(algorithm act, const float* a, const float* b, float* c, std::int64_t m,
                         std::int64_t k, std::int64_t n) {
  if (m == 0 || n == 0) return;
  const auto a_md = plain_desc({m, k}, dt::f32);
  const auto b_md = plain_desc({k, n}, dt::f32);
  const auto c_md = plain_desc({m, n}, dt::f32);
  const auto key = fmt::format("matmul_add_activate:{}:{}:{}:{}", static_cast<int>(act), m, k, n);
  run_sized(m * k * n, [&] {
    auto p = cached_primitive(key, [&] {
      dnnl::post_ops post_ops;
      post_ops.append_sum(1.f);
      post_ops.append_eltwise(1.f, act, 0.f, 0.f);
      dnnl::primitive_attr attributes = default_attributes();
      attributes.set_post_ops(post_ops);
      dnnl::matmul::desc desc(a_md, b_md, c_md);
      dnnl::matmul::primitive_desc pd(desc, attributes, engine());
      return CachedPrimitive{dnnl::matmul(pd), pd};
    });
    execute("matmul_add_activate", *p,
            {{DNNL_ARG_SRC, wrap(a_md, a)},
             {DNNL_ARG_WEIGHTS, wrap(b_md, b)},
             {DNNL_ARG_DST, wrap(c_md, c)}});
  });
}

void reduce_sum(const float* src, const Shape& src_shape, float* dst, const Shape& dst_shape) {
  if (numel(dst_shape) == 0) return;
  // oneDNN refuses a reduction that reduces nothing (every axis of extent 1, or a 0-d sum).
  if (numel(src_shape) == numel(dst_shape)) {
    std::copy(src, src + numel(src_shape), dst);
    return;
  }
  const auto src_md = plain_desc(to_dims(src_shape), dt::f32);
  const auto dst_md = plain_desc(to_dims(dst_shape), dt::f32);
  const auto key =
      fmt::format("reduce_sum:{}:{}", fmt::join(src_shape, "x"), fmt::join(dst_shape, "x"));
  run_sized(numel(src_shape), [&] {
    auto p = cached_primitive(key, [&] {
      dnnl::reduction::desc desc(algorithm::reduction_sum, src_md, dst_md, 0.f, 0.f);
      dnnl::reduction::primitive_desc pd(desc, default_attributes(), engine());
      return CachedPrimitive{dnnl::reduction(pd), pd};
    });
    execute("sum", *p, {{DNNL_ARG_SRC, wrap(src_md, src)}, {DNNL_ARG_DST, wrap(dst_md, dst)}});
  });
}

void softmax_forward(bool log, const float* src, float* dst, const Shape& shape, int axis) {
  if (numel(shape) == 0) return;
  const auto md = plain_desc(to_dims(shape), dt::f32);
  const auto key = fmt::format("softmax_fwd:{}:{}:{}", log, fmt::join(shape, "x"), axis);
  run_sized(numel(shape), [&] {
    auto p = cached_primitive(key, [&] {
      if (log) {
        dnnl::logsoftmax_forward::desc desc(prop_kind::forward_training, md, axis);
        dnnl::logsoftmax_forward::primitive_desc pd(desc, default_attributes(), engine());
        return CachedPrimitive{dnnl::logsoftmax_forward(pd), pd};
      }
      dnnl::softmax_forward::desc desc(prop_kind::forward_training, md, axis);
      dnnl::softmax_forward::primitive_desc pd(desc, default_attributes(), engine());
      return CachedPrimitive{dnnl::softmax_forward(pd), pd};
    });
    execute(log ? "log_softmax" : "softmax", *p,
            {{DNNL_ARG_SRC, wrap(md, src)}, {DNNL_ARG_DST, wrap(md, dst)}});
  });
}

void softmax_backward(bool log, const float* dst, const float* diff_dst, float* diff_src,
                      const Shape& shape, int axis) {
  if (numel(shape) == 0) return;
  const auto md = plain_desc(to_dims(shape), dt::f32);
  const auto key = fmt::format("softmax_bwd:{}:{}:{}", log, fmt::join(shape, "x"), axis);
  run_sized(numel(shape), [&] {
    auto p = cached_primitive(key, [&] {
      if (log) {
        dnnl::logsoftmax_forward::primitive_desc hint({prop_kind::forward_training, md, axis},
                                                      default_attributes(), engine());
        dnnl::logsoftmax_backward::desc desc(md, md, axis);
        dnnl::logsoftmax_backward::primitive_desc pd(desc, default_attributes(), engine(), hint);
        return CachedPrimitive{dnnl::logsoftmax_backward(pd), pd};
      }
      dnnl::softmax_forward::primitive_desc hint({prop_kind::forward_training, md, axis},
                                                 default_attributes(), engine());
      dnnl::softmax_backward::desc desc(md, md, axis);
      dnnl::softmax_backward::primitive_desc pd(desc, default_attributes(), engine(), hint);
      return CachedPrimitive{dnnl::softmax_backward(pd), pd};
    });
    execute(log ? "log_softmax backward" : "softmax backward", *p,
            {{DNNL_ARG_DST, wrap(md, dst)},
             {DNNL_ARG_DIFF_DST, wrap(md, diff_dst)},
             {DNNL_ARG_DIFF_SRC, wrap(md, diff_src)}});
  });
}

}  // namespace rnnkit::kernels::onednn
