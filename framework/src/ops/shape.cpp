// Shape and indexing ops: reshape, slice, select, stack, concat, unstack, reverse, where,
// comparisons.
// Each copies whole contiguous runs (memcpy) along the split at its axis.

#include <algorithm>
#include <cstring>

#include "kernels/eigen/kernels.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

using kernels::eigen::split_at;

std::byte* bytes(Tensor& t) { return reinterpret_cast<std::byte*>(t.impl()->storage->data); }
const std::byte* bytes(const Tensor& t) {
  return reinterpret_cast<const std::byte*>(t.impl()->storage->data);
}

// Copies `count` positions along the axis from src (extent src_extent, starting at src_start)
// into dst (extent dst_extent, starting at dst_start); `step` = -1 reverses their order.
void copy_along_axis(const Tensor& src, std::int64_t src_start, Tensor& dst, std::int64_t dst_start,
                     std::int64_t count, int axis, int step = 1) {
  const auto s = split_at(src.shape(), axis);
  const auto d = split_at(dst.shape(), axis);
  const std::size_t run = static_cast<std::size_t>(s.inner) * dtype_size(src.dtype());
  const std::byte* in = bytes(src);
  std::byte* out = bytes(dst);
  for (std::int64_t o = 0; o < s.outer; ++o) {
    for (std::int64_t c = 0; c < count; ++c) {
      const std::int64_t from = src_start + (step > 0 ? c : count - 1 - c);
      std::memcpy(out + (o * d.extent + dst_start + c) * static_cast<std::int64_t>(run),
                  in + (o * s.extent + from) * static_cast<std::int64_t>(run), run);
    }
  }
}

void require_same_dtype_all(std::string_view op, const std::vector<Tensor>& tensors) {
  if (tensors.empty()) {
    throw std::invalid_argument(fmt::format("{}: expected at least one tensor, got none", op));
  }
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    detail::require_defined(op, tensors[i], fmt::format("tensors[{}]", i));
    if (tensors[i].dtype() != tensors[0].dtype()) {
      throw std::invalid_argument(fmt::format("{}: tensors[{}] is {} but tensors[0] is {}", op, i,
                                              dtype_name(tensors[i].dtype()),
                                              dtype_name(tensors[0].dtype())));
    }
  }
}

Tensor compare(std::string_view op, const Tensor& x, double value, bool (*predicate)(double, double)) {
  detail::require_defined(op, x, "x");
  Tensor out = Tensor::empty(x.shape(), DType::boolean);
  std::uint8_t* o = out.mutable_data<std::uint8_t>();
  detail::dispatch_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i) o[i] = predicate(static_cast<double>(in[i]), value);
  });
  return out;
}

// The number of consecutive outputs each mask element decides when the mask matches the
// output's leading axes and is 1 along the rest (a [B, 1] step mask against [B, H] states), or 0
// when the mask broadcasts some other way.
std::int64_t mask_run(const Shape& mask, const Shape& out) {
  const std::size_t lead = out.size() - mask.size();
  for (std::size_t d = 0; d < lead; ++d) {
    if (out[d] != 1) return 0;
  }
  std::size_t d = lead;
  while (d < out.size() && mask[d - lead] == out[d]) ++d;
  std::int64_t run = 1;
  for (; d < out.size(); ++d) {
    if (mask[d - lead] != 1) return 0;
    run *= out[d];
  }
  return run;
}

// mask ? *a : *b elementwise, with a or b already of out_shape; a null one stands for zeros.
Tensor select(const Tensor& mask, const Tensor* a, const Tensor* b, const Shape& out_shape) {
  const Tensor& value = a ? *a : *b;
  Tensor out = Tensor::empty(out_shape, value.dtype());
  const std::uint8_t* m = mask.data<std::uint8_t>();
  const std::int64_t run = mask_run(mask.shape(), out_shape);
  detail::dispatch_float("where", value.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* pa = a ? a->data<T>() : nullptr;
    const T* pb = b ? b->data<T>() : nullptr;
    T* o = out.mutable_data<T>();
    if (run > 0) {
      for (std::int64_t j = 0; j < mask.numel(); ++j) {
        const T* from = m[j] ? pa : pb;
        if (from) {
          std::copy_n(from + j * run, run, o + j * run);
        } else {
          std::fill_n(o + j * run, run, T(0));
        }
      }
      return;
    }
    kernels::eigen::for_each_broadcast(out_shape, out_shape, mask.shape(),
                                       [&](std::int64_t i, std::int64_t, std::int64_t j) {
                                         const T* from = m[j] ? pa : pb;
                                         o[i] = from ? from[i] : T(0);
                                       });
  });
  return out;
}

}  // namespace

Tensor reshape(const Tensor& x, Shape shape) {
  detail::require_defined("reshape", x, "x");
  return x.reshape(std::move(shape));
}

Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t stop) {
  detail::require_defined("slice", x, "x");
  const int a = normalize_axis("slice", axis, x.shape().size());
  const std::int64_t extent = x.size(a);
  if (start < 0 || stop < start || stop > extent) {
    throw std::invalid_argument(fmt::format(
        "slice: expected 0 <= start <= stop <= {} along axis {} of shape {}, got start={} stop={}",
        extent, a, shape_str(x.shape()), start, stop));
  }
  Shape out_shape = x.shape();
  out_shape[static_cast<std::size_t>(a)] = stop - start;
  Tensor out = Tensor::empty(out_shape, x.dtype());
  copy_along_axis(x, start, out, 0, stop - start, a);
  const Shape input_shape = x.shape();
  return record("slice", {x}, out, [input_shape, a, start](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    Tensor dx = Tensor::zeros(input_shape, g[0].dtype());
    copy_along_axis(g[0], 0, dx, start, g[0].size(a), a);
    return {dx};
  });
}

Tensor select(const Tensor& x, std::int64_t axis, std::int64_t index) {
  detail::require_defined("select", x, "x");
  const int a = normalize_axis("select", axis, x.shape().size());
  if (index < 0 || index >= x.size(a)) {
    throw std::invalid_argument(fmt::format("select: index {} is out of range [0, {}) along axis {} of shape {}",
                                            index, x.size(a), a, shape_str(x.shape())));
  }
  Shape out_shape = x.shape();
  out_shape.erase(out_shape.begin() + a);
  return slice(x, a, index, index + 1).reshape(out_shape);
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t axis) {
  require_same_dtype_all("stack", tensors);
  const Shape& item_shape = tensors[0].shape();
  for (std::size_t i = 1; i < tensors.size(); ++i) {
    if (tensors[i].shape() != item_shape) {
      throw std::invalid_argument(fmt::format("stack: every tensor must have shape {}, but tensors[{}] has {}",
                                              shape_str(item_shape), i, shape_str(tensors[i].shape())));
    }
  }
  const int a = normalize_axis("stack", axis, item_shape.size() + 1);
  std::vector<Tensor> expanded;
  expanded.reserve(tensors.size());
  Shape expanded_shape = item_shape;
  expanded_shape.insert(expanded_shape.begin() + a, 1);
  for (const Tensor& t : tensors) expanded.push_back(t.reshape(expanded_shape));
  return concat(expanded, a);
}

Tensor concat(const std::vector<Tensor>& tensors, std::int64_t axis) {
  require_same_dtype_all("concat", tensors);
  const int a = normalize_axis("concat", axis, tensors[0].shape().size());
  Shape out_shape = tensors[0].shape();
  out_shape[static_cast<std::size_t>(a)] = 0;
  std::vector<std::int64_t> offsets;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    Shape expected = tensors[0].shape();
    expected[static_cast<std::size_t>(a)] = tensors[i].shape().size() == expected.size() ? tensors[i].size(a) : -1;
    if (tensors[i].shape() != expected) {
      throw std::invalid_argument(fmt::format(
          "concat: tensors[{}] has shape {}, which differs from tensors[0]'s {} outside axis {}", i,
          shape_str(tensors[i].shape()), shape_str(tensors[0].shape()), a));
    }
    offsets.push_back(out_shape[static_cast<std::size_t>(a)]);
    out_shape[static_cast<std::size_t>(a)] += tensors[i].size(a);
  }
  Tensor out = Tensor::empty(out_shape, tensors[0].dtype());
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    copy_along_axis(tensors[i], 0, out, offsets[i], tensors[i].size(a), a);
  }
  return record("concat", tensors, out, [offsets, a](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    std::vector<Tensor> grads;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      const std::int64_t stop = i + 1 < offsets.size() ? offsets[i + 1] : g[0].size(a);
      grads.push_back(slice(g[0], a, offsets[i], stop));
    }
    return grads;
  });
}

std::vector<Tensor> unstack(const Tensor& x, std::int64_t axis) {
  detail::require_defined("unstack", x, "x");
  const int a = normalize_axis("unstack", axis, x.shape().size());
  Shape piece_shape = x.shape();
  piece_shape[static_cast<std::size_t>(a)] = 1;
  Shape out_shape = x.shape();
  out_shape.erase(out_shape.begin() + a);
  std::vector<Tensor> pieces;
  pieces.reserve(static_cast<std::size_t>(x.size(a)));
  for (std::int64_t i = 0; i < x.size(a); ++i) {
    Tensor piece = Tensor::empty(piece_shape, x.dtype());
    copy_along_axis(x, i, piece, 0, 1, a);
    pieces.push_back(piece.reshape(out_shape));
  }
  if (!needs_grad({&x})) return pieces;
  return record("unstack", {x}, std::move(pieces),
                [a](const std::vector<Tensor>& g) -> std::vector<Tensor> { return {stack(g, a)}; });
}

Tensor reverse(const Tensor& x, std::int64_t axis) {
  detail::require_defined("reverse", x, "x");
  const int a = normalize_axis("reverse", axis, x.shape().size());
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  copy_along_axis(x, 0, out, 0, x.size(a), a, -1);
  return record("reverse", {x}, out, [a](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    return {reverse(g[0], a)};
  });
}

Tensor where(const Tensor& mask, const Tensor& a, const Tensor& b) {
  detail::require_defined("where", mask, "mask");
  if (mask.dtype() != DType::boolean) {
    throw std::invalid_argument(fmt::format("where: expected a bool mask, got {}", dtype_name(mask.dtype())));
  }
  detail::require_floating("where", a, "a");
  detail::require_floating("where", b, "b");
  detail::require_same_dtype("where", a, b);
  const Shape value_shape = broadcast_shapes("where", a.shape(), b.shape());
  const Shape out_shape = broadcast_shapes("where", mask.shape(), value_shape);
  // Broadcast a and b to the output first, then pick per element.
  const Tensor full_a = a.shape() == out_shape ? a : add(Tensor::zeros(out_shape, a.dtype()), a.detach());
  const Tensor full_b = b.shape() == out_shape ? b : add(Tensor::zeros(out_shape, b.dtype()), b.detach());
  Tensor out = select(mask, &full_a, &full_b, out_shape);
  if (!needs_grad({&a, &b})) return out;
  SavedTensor saved_mask(mask);
  return record("where", {mask, a, b}, out, [saved_mask](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    const Tensor& m = saved_mask.get("where");
    return {Tensor(), select(m, &g[0], nullptr, g[0].shape()), select(m, nullptr, &g[0], g[0].shape())};
  });
}

Tensor not_equal(const Tensor& x, double value) {
  return compare("not_equal", x, value, [](double v, double c) { return v != c; });
}

Tensor greater(const Tensor& x, double value) {
  return compare("greater", x, value, [](double v, double c) { return v > c; });
}

}  // namespace rnnkit
