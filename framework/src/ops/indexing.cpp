// Index-driven ops: one_hot.

#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {

// No backward: the input holds integer labels, and the output is a constant of them.
Tensor one_hot(const Tensor& labels, std::int64_t depth, DType dtype) {
  detail::require_defined("one_hot", labels, "labels");
  if (labels.dtype() != DType::i64) {
    throw std::invalid_argument(fmt::format("one_hot: expected int64 labels, got {}",
                                            dtype_name(labels.dtype())));
  }
  if (depth < 0) {
    throw std::invalid_argument(fmt::format("one_hot: expected depth >= 0, got {}", depth));
  }
  const std::int64_t* in = labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < labels.numel(); ++i) {
    if (in[i] < 0 || in[i] >= depth) {
      throw std::invalid_argument(fmt::format(
          "one_hot: expected labels in [0, {}), got {} at flat index {}", depth, in[i], i));
    }
  }
  Shape out_shape = labels.shape();
  out_shape.push_back(depth);
  Tensor out = Tensor::zeros(out_shape, dtype);
  detail::dispatch_float("one_hot", dtype, [&](auto zero) {
    using T = decltype(zero);
    T* o = out.mutable_data<T>();
    for (std::int64_t i = 0; i < labels.numel(); ++i) o[i * depth + in[i]] = T{1};
  });
  return out;
}

}  // namespace rnnkit
