// Element-wise ops: broadcasting arithmetic, scalar arithmetic, unary math and activations.
// Each op's backward is right below its forward.

#include <algorithm>
#include <cmath>
#include <numbers>

#include "kernels/eigen/kernels.h"
#include "kernels/onednn/primitives.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

using dnnl::algorithm;
namespace eig = kernels::eigen;
namespace dnn = kernels::onednn;

// ---------------------------------------------------------------- broadcasting arithmetic

enum class Arith { add, sub, mul, div };

algorithm onednn_algorithm(Arith kind) {
  switch (kind) {
    case Arith::add: return algorithm::binary_add;
    case Arith::sub: return algorithm::binary_sub;
    case Arith::mul: return algorithm::binary_mul;
    case Arith::div: return algorithm::binary_div;
  }
  return algorithm::undef;
}

Shape padded_to_rank(const Shape& shape, std::size_t rank) {
  Shape out(rank - shape.size(), 1);
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

Tensor arithmetic(std::string_view op, Arith kind, const Tensor& a, const Tensor& b) {
  detail::require_floating(op, a, "a");
  detail::require_floating(op, b, "b");
  detail::require_same_dtype(op, a, b);
  const Shape out_shape = broadcast_shapes(op, a.shape(), b.shape());
  Tensor out = Tensor::empty(out_shape, a.dtype());
  const bool commutes = kind == Arith::add || kind == Arith::mul;
  // oneDNN's binary broadcasts only its second source.
  if (a.dtype() == DType::f32 && (a.shape() == out_shape || (commutes && b.shape() == out_shape))) {
    const bool swap = a.shape() != out_shape;
    const Tensor& full = swap ? b : a;
    const Tensor& other = swap ? a : b;
    dnn::binary(onednn_algorithm(kind), full.data<float>(), other.data<float>(),
                padded_to_rank(other.shape(), out_shape.size()), out.mutable_data<float>(),
                out_shape);
    return out;
  }
  detail::dispatch_float(op, a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const auto run = [&](auto f) {
      eig::broadcast_binary<T>(f, a.data<T>(), a.shape(), b.data<T>(), b.shape(),
                               out.mutable_data<T>(), out_shape);
    };
    switch (kind) {
      case Arith::add: run([](T x, T y) { return x + y; }); break;
      case Arith::sub: run([](T x, T y) { return x - y; }); break;
      case Arith::mul: run([](T x, T y) { return x * y; }); break;
      case Arith::div: run([](T x, T y) { return x / y; }); break;
    }
  });
  return out;
}

// ---------------------------------------------------------------- unary element-wise ops

// One element-wise function: its oneDNN algorithms for float32 (undef: use the Eigen formula)
// and its formula and derivative for float64 and the float32 fallback. The derivative reads the
// input x and/or the output y; only those are kept for backward.
struct Unary {
  const char* name;
  algorithm forward = algorithm::undef;
  algorithm backward = algorithm::undef;
  bool keeps_input = false;
  bool keeps_output = false;
  double alpha = 0.0;
  double beta = 0.0;
  double (*f)(double x, double alpha, double beta) = nullptr;
  double (*df)(double x, double y, double alpha, double beta) = nullptr;
};

bool backward_reads_output(algorithm a) {
  return a == algorithm::eltwise_relu_use_dst_for_bwd || a == algorithm::eltwise_tanh_use_dst_for_bwd ||
         a == algorithm::eltwise_elu_use_dst_for_bwd || a == algorithm::eltwise_sqrt_use_dst_for_bwd ||
         a == algorithm::eltwise_logistic_use_dst_for_bwd || a == algorithm::eltwise_exp_use_dst_for_bwd ||
         a == algorithm::eltwise_clip_v2_use_dst_for_bwd;
}

Tensor unary_backward(const Unary& u, const Tensor& x, const Tensor& y, const Tensor& g) {
  Tensor dx = Tensor::empty(g.shape(), g.dtype());
  if (g.dtype() == DType::f32 && u.backward != algorithm::undef) {
    const Tensor& data = backward_reads_output(u.backward) ? y : x;
    dnn::eltwise_backward(u.backward, static_cast<float>(u.alpha), static_cast<float>(u.beta),
                          data.data<float>(), g.data<float>(), dx.mutable_data<float>(), g.numel());
    return dx;
  }
  detail::dispatch_float(u.name, g.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.defined() ? x.data<T>() : nullptr;
    const T* ys = y.defined() ? y.data<T>() : nullptr;
    const T* gs = g.data<T>();
    T* out = dx.mutable_data<T>();
    for (std::int64_t i = 0; i < g.numel(); ++i) {
      out[i] = gs[i] * static_cast<T>(u.df(xs ? xs[i] : 0.0, ys ? ys[i] : 0.0, u.alpha, u.beta));
    }
  });
  return dx;
}

Tensor unary(const Tensor& x, const Unary& u) {
  detail::require_floating(u.name, x, "x");
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  if (x.dtype() == DType::f32 && u.forward != algorithm::undef) {
    dnn::eltwise_forward(u.forward, static_cast<float>(u.alpha), static_cast<float>(u.beta),
                         x.data<float>(), y.mutable_data<float>(), x.numel());
  } else {
    detail::dispatch_float(u.name, x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      eig::vec(y.mutable_data<T>(), x.numel()) = eig::vec(x.data<T>(), x.numel()).unaryExpr(
          [&u](T v) { return static_cast<T>(u.f(v, u.alpha, u.beta)); });
    });
  }
  if (!needs_grad({&x})) return y;
  SavedTensor saved_x(u.keeps_input ? x : Tensor());
  SavedTensor saved_y(u.keeps_output ? y : Tensor());
  return record(u.name, {x}, y, [u, saved_x, saved_y](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    return {unary_backward(u, saved_x.get(u.name), saved_y.get(u.name), g[0])};
  });
}

double sigmoid_of(double x) { return 1.0 / (1.0 + std::exp(-x)); }
constexpr double selu_scale = 1.0507009873554805;
constexpr double selu_alpha = 1.6732632423543772;

}  // namespace

// ---------------------------------------------------------------- arithmetic ops

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic("add", Arith::add, a, b);
  return record("add", {a, b}, out, [](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    return {g[0], g[0]};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic("sub", Arith::sub, a, b);
  return record("sub", {a, b}, out, [](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    return {g[0], neg(g[0])};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic("mul", Arith::mul, a, b);
  if (!needs_grad({&a, &b})) return out;
  SavedTensor sa(a.requires_grad() ? b : Tensor()), sb(b.requires_grad() ? a : Tensor());
  return record("mul", {a, b}, out, [sa, sb](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    const Tensor& b_value = sa.get("mul");
    const Tensor& a_value = sb.get("mul");
    return {b_value.defined() ? mul(g[0], b_value) : Tensor(),
            a_value.defined() ? mul(g[0], a_value) : Tensor()};
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = arithmetic("div", Arith::div, a, b);
  if (!needs_grad({&a, &b})) return out;
  SavedTensor sb(b), so(out);
  const bool wants_b = b.requires_grad();
  return record("div", {a, b}, out, [sb, so, wants_b](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    const Tensor& b_value = sb.get("div");
    Tensor da = div(g[0], b_value);
    // d(a/b)/db = -(a/b)/b
    return {da, wants_b ? neg(mul(da, so.get("div"))) : Tensor()};
  });
}

// Scalar forms are one oneDNN eltwise_linear forward. Their derivative is a constant, so they keep
// nothing and backward scales g by the Eigen formula: oneDNN's linear backward would demand the
// source tensor that it never reads.
Tensor add(const Tensor& a, double b) {
  return unary(a, {.name = "add", .forward = algorithm::eltwise_linear,
                   .alpha = 1.0, .beta = b,
                   .f = [](double x, double, double s) { return x + s; },
                   .df = [](double, double, double, double) { return 1.0; }});
}

Tensor mul(const Tensor& a, double b) {
  return unary(a, {.name = "mul", .forward = algorithm::eltwise_linear,
                   .alpha = b, .beta = 0.0,
                   .f = [](double x, double s, double) { return x * s; },
                   .df = [](double, double, double s, double) { return s; }});
}

Tensor sub(const Tensor& a, double b) { return add(a, -b); }
Tensor div(const Tensor& a, double b) { return mul(a, 1.0 / b); }

Tensor rsub(double a, const Tensor& b) {
  return unary(b, {.name = "rsub", .forward = algorithm::eltwise_linear,
                   .alpha = -1.0, .beta = a,
                   .f = [](double x, double, double s) { return s - x; },
                   .df = [](double, double, double, double) { return -1.0; }});
}

Tensor rdiv(double a, const Tensor& b) {
  return unary(b, {.name = "rdiv", .forward = algorithm::eltwise_pow, .backward = algorithm::eltwise_pow,
                   .keeps_input = true, .alpha = a, .beta = -1.0,
                   .f = [](double x, double s, double) { return s / x; },
                   .df = [](double x, double, double s, double) { return -s / (x * x); }});
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(double a, const Tensor& b) { return rsub(a, b); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(double a, const Tensor& b) { return rdiv(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }

// ---------------------------------------------------------------- unary math

Tensor neg(const Tensor& x) { return mul(x, -1.0); }

Tensor square(const Tensor& x) {
  return unary(x, {.name = "square", .forward = algorithm::eltwise_square, .backward = algorithm::eltwise_square,
                   .keeps_input = true,
                   .f = [](double v, double, double) { return v * v; },
                   .df = [](double v, double, double, double) { return 2.0 * v; }});
}

Tensor sqrt(const Tensor& x) {
  return unary(x, {.name = "sqrt", .forward = algorithm::eltwise_sqrt,
                   .backward = algorithm::eltwise_sqrt_use_dst_for_bwd, .keeps_output = true,
                   .f = [](double v, double, double) { return std::sqrt(v); },
                   .df = [](double, double y, double, double) { return 0.5 / y; }});
}

Tensor abs(const Tensor& x) {
  return unary(x, {.name = "abs", .forward = algorithm::eltwise_abs, .backward = algorithm::eltwise_abs,
                   .keeps_input = true,
                   .f = [](double v, double, double) { return std::abs(v); },
                   .df = [](double v, double, double, double) { return v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0; }});
}

Tensor exp(const Tensor& x) {
  return unary(x, {.name = "exp", .forward = algorithm::eltwise_exp,
                   .backward = algorithm::eltwise_exp_use_dst_for_bwd, .keeps_output = true,
                   .f = [](double v, double, double) { return std::exp(v); },
                   .df = [](double, double y, double, double) { return y; }});
}

Tensor log(const Tensor& x) {
  return unary(x, {.name = "log", .forward = algorithm::eltwise_log, .backward = algorithm::eltwise_log,
                   .keeps_input = true,
                   .f = [](double v, double, double) { return std::log(v); },
                   .df = [](double v, double, double, double) { return 1.0 / v; }});
}

Tensor pow(const Tensor& x, double exponent) {
  return unary(x, {.name = "pow", .forward = algorithm::eltwise_pow, .backward = algorithm::eltwise_pow,
                   .keeps_input = true, .alpha = 1.0, .beta = exponent,
                   .f = [](double v, double, double p) { return std::pow(v, p); },
                   .df = [](double v, double, double, double p) { return p * std::pow(v, p - 1.0); }});
}

Tensor clip(const Tensor& x, double low, double high) {
  if (!(low <= high)) {
    throw std::invalid_argument(fmt::format("clip: expected low <= high, got low={} high={}", low, high));
  }
  // Like TensorFlow's clip_by_value, the gradient passes where low <= x <= high.
  return unary(x, {.name = "clip", .forward = algorithm::eltwise_clip, .keeps_input = true,
                   .alpha = low, .beta = high,
                   .f = [](double v, double lo, double hi) { return std::clamp(v, lo, hi); },
                   .df = [](double v, double, double lo, double hi) { return lo <= v && v <= hi ? 1.0 : 0.0; }});
}

// ---------------------------------------------------------------- activations

Tensor tanh(const Tensor& x) {
  return unary(x, {.name = "tanh", .forward = algorithm::eltwise_tanh,
                   .backward = algorithm::eltwise_tanh_use_dst_for_bwd, .keeps_output = true,
                   .f = [](double v, double, double) { return std::tanh(v); },
                   .df = [](double, double y, double, double) { return 1.0 - y * y; }});
}

Tensor relu(const Tensor& x) {
  return unary(x, {.name = "relu", .forward = algorithm::eltwise_relu,
                   .backward = algorithm::eltwise_relu_use_dst_for_bwd, .keeps_output = true,
                   .f = [](double v, double, double) { return v > 0 ? v : 0.0; },
                   .df = [](double, double y, double, double) { return y > 0 ? 1.0 : 0.0; }});
}

Tensor sigmoid(const Tensor& x) {
  return unary(x, {.name = "sigmoid", .forward = algorithm::eltwise_logistic,
                   .backward = algorithm::eltwise_logistic_use_dst_for_bwd, .keeps_output = true,
                   .f = [](double v, double, double) { return sigmoid_of(v); },
                   .df = [](double, double y, double, double) { return y * (1.0 - y); }});
}

Tensor hard_sigmoid(const Tensor& x) {
  return unary(x, {.name = "hard_sigmoid", .keeps_input = true,
                   .f = [](double v, double, double) { return std::clamp(0.2 * v + 0.5, 0.0, 1.0); },
                   // Keras clips 0.2 x + 0.5 with clip_by_value, whose gradient passes on the bounds.
                   .df = [](double v, double, double, double) { return v >= -2.5 && v <= 2.5 ? 0.2 : 0.0; }});
}

Tensor elu(const Tensor& x, double alpha) {
  if (alpha < 0) throw std::invalid_argument(fmt::format("elu: alpha must be >= 0, got {}", alpha));
  return unary(x, {.name = "elu", .forward = algorithm::eltwise_elu,
                   .backward = algorithm::eltwise_elu_use_dst_for_bwd, .keeps_output = true, .alpha = alpha,
                   .f = [](double v, double a, double) { return v > 0 ? v : a * std::expm1(v); },
                   .df = [](double, double y, double a, double) { return y > 0 ? 1.0 : y + a; }});
}

Tensor selu(const Tensor& x) {
  return unary(x, {.name = "selu", .keeps_input = true,
                   .f = [](double v, double, double) {
                     return selu_scale * (v > 0 ? v : selu_alpha * std::expm1(v));
                   },
                   // TensorFlow's SeluGrad takes the linear branch at 0.
                   .df = [](double v, double, double, double) {
                     return v < 0 ? selu_scale * selu_alpha * std::exp(v) : selu_scale;
                   }});
}

// Not oneDNN 2.6's soft_relu: for x << 0 it cancels to an absolute error of ulp(|x|) (softplus(-30)
// comes out as -1.9e-6, not 9.4e-14), which breaks crossentropy from logits. The stable formula
// runs on Eigen in every dtype.
Tensor softplus(const Tensor& x) {
  return unary(x, {.name = "softplus", .keeps_input = true,
                   .f = [](double v, double, double) { return std::max(v, 0.0) + std::log1p(std::exp(-std::abs(v))); },
                   .df = [](double v, double, double, double) { return sigmoid_of(v); }});
}

Tensor softsign(const Tensor& x) {
  return unary(x, {.name = "softsign", .keeps_input = true,
                   .f = [](double v, double, double) { return v / (1.0 + std::abs(v)); },
                   .df = [](double v, double, double, double) {
                     const double d = 1.0 + std::abs(v);
                     return 1.0 / (d * d);
                   }});
}

Tensor exponential(const Tensor& x) { return exp(x); }

Tensor linear(const Tensor& x) {
  detail::require_floating("linear", x, "x");
  return x;
}

Tensor swish(const Tensor& x) {
  return unary(x, {.name = "swish", .forward = algorithm::eltwise_swish, .backward = algorithm::eltwise_swish,
                   .keeps_input = true, .alpha = 1.0,
                   .f = [](double v, double, double) { return v * sigmoid_of(v); },
                   .df = [](double v, double, double, double) {
                     const double s = sigmoid_of(v);
                     return s + v * s * (1.0 - s);
                   }});
}

Tensor gelu(const Tensor& x) {
  return unary(x, {.name = "gelu", .forward = algorithm::eltwise_gelu_erf,
                   .backward = algorithm::eltwise_gelu_erf, .keeps_input = true,
                   .f = [](double v, double, double) { return 0.5 * v * (1.0 + std::erf(v / std::numbers::sqrt2)); },
                   .df = [](double v, double, double, double) {
                     const double cdf = 0.5 * (1.0 + std::erf(v / std::numbers::sqrt2));
                     const double pdf = std::exp(-0.5 * v * v) / std::sqrt(2.0 * std::numbers::pi);
                     return cdf + v * pdf;
                   }});
}

Tensor relu6(const Tensor& x) {
  return unary(x, {.name = "relu6", .forward = algorithm::eltwise_clip_v2, .keeps_input = true,
                   .alpha = 0.0, .beta = 6.0,
                   .f = [](double v, double, double) { return std::clamp(v, 0.0, 6.0); },
                   .df = [](double v, double, double, double) { return v > 0 && v < 6 ? 1.0 : 0.0; }});
}

Tensor leaky_relu(const Tensor& x, double alpha) {
  return unary(x, {.name = "leaky_relu", .forward = algorithm::eltwise_relu,
                   .backward = algorithm::eltwise_relu, .keeps_input = true, .alpha = alpha,
                   .f = [](double v, double a, double) { return v > 0 ? v : a * v; },
                   .df = [](double v, double, double a, double) { return v > 0 ? 1.0 : a; }});
}

}  // namespace rnnkit
