// softmax and log_softmax along an axis.

#include "kernels/eigen/kernels.h"
#include "kernels/onednn/primitives.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

Tensor softmax_family(std::string_view op, bool log, const Tensor& x, std::int64_t axis) {
  detail::require_floating(op, x, "x");
  if (x.dim() < 1) {
    throw std::invalid_argument(fmt::format("{}: expected a tensor of rank >= 1, got a scalar", op));
  }
  const int a = normalize_axis(op, axis, x.shape().size());
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  if (x.dtype() == DType::f32) {
    kernels::onednn::softmax_forward(log, x.data<float>(), y.mutable_data<float>(), x.shape(), a);
  } else {
    kernels::eigen::softmax_forward(log, x.data<double>(), y.mutable_data<double>(), x.shape(), a);
  }
  if (!needs_grad({&x})) return y;
  SavedTensor saved_y(y);
  const std::string name(op);
  return record(op, {x}, y, [saved_y, log, a, name](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    const Tensor& out = saved_y.get(name);
    Tensor dx = Tensor::empty(out.shape(), out.dtype());
    if (out.dtype() == DType::f32) {
      kernels::onednn::softmax_backward(log, out.data<float>(), g[0].data<float>(),
                                        dx.mutable_data<float>(), out.shape(), a);
    } else {
      kernels::eigen::softmax_backward(log, out.data<double>(), g[0].data<double>(),
                                       dx.mutable_data<double>(), out.shape(), a);
    }
    return {dx};
  });
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t axis) { return softmax_family("softmax", false, x, axis); }
Tensor log_softmax(const Tensor& x, std::int64_t axis) {
  return softmax_family("log_softmax", true, x, axis);
}

}  // namespace rnnkit
