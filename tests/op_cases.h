#pragma once

// The table of differentiable ops and losses shared by ops_gradcheck (f64 finite differences)
// and ops_f32_f64 (oneDNN float32 against Eigen float64). Each case builds its own float64
// inputs; functions build any constant in their inputs' dtype so one case runs in both dtypes.

#include <algorithm>
#include <cmath>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/ops.h>

#include "test_support.h"

namespace rnnkit::testing {

/// One differentiable function of a few inputs, named for the failure report.
struct OpCase {
  std::string name;
  std::function<Tensor(const std::vector<Tensor>&)> function;
  std::function<std::vector<Tensor>()> inputs;  ///< float64 (bool and int64 pass through)
  GradcheckOptions options = {};
  /// False where float32 changes the math itself, so ops_f32_f64 leaves the case out.
  bool float32_comparable = true;
};

inline std::ostream& operator<<(std::ostream& out, const OpCase& c) { return out << c.name; }

/// Uniform float64 values in [low, high).
inline Tensor uniform(Shape shape, std::uint64_t seed, double low = -1.0, double high = 1.0) {
  return random_tensor(std::move(shape), DType::f64, seed, low, high);
}

/// Uniform in [low, high), with every value closer than `margin` to a kink moved to
/// kink +- margin, so finite differences never straddle a kink.
inline Tensor away_from(Tensor t, std::vector<double> kinks, double margin = 0.1) {
  double* p = t.mutable_data<double>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    for (double kink : kinks) {
      if (std::abs(p[i] - kink) < margin) p[i] = p[i] < kink ? kink - margin : kink + margin;
    }
  }
  return t;
}

/// A constant of `like`'s dtype from a fixed seed (records no gradient).
inline Tensor constant_like(const Tensor& like, Shape shape, std::uint64_t seed, double low = -1.0,
                            double high = 1.0) {
  return random_tensor(std::move(shape), like.dtype(), seed, low, high);
}

inline Tensor bool_mask(Shape shape, std::vector<double> values) {
  return Tensor::from_values(std::move(shape), values, DType::boolean);
}

/// `c`, marked as one whose float32 result legitimately differs from float64.
inline OpCase float32_sensitive(OpCase c) {
  c.float32_comparable = false;
  return c;
}

/// A shorthand for a case whose inputs are `make()`'s.
inline OpCase op(std::string name, std::function<Tensor(const std::vector<Tensor>&)> f,
                 std::function<std::vector<Tensor>()> make, GradcheckOptions options = {}) {
  return {std::move(name), std::move(f), std::move(make), options};
}

using In = const std::vector<Tensor>&;

/// add/sub/mul/div with broadcasting both ways, scalar forms, reuse of one tensor.
inline std::vector<OpCase> arithmetic_cases() {
  const auto two = [](Shape a, Shape b) {
    return [a, b] { return std::vector<Tensor>{uniform(a, 1), uniform(b, 2)}; };
  };
  // Denominators stay in [0.5, 2) so the quotient is smooth.
  const auto over = [](Shape a, Shape b) {
    return [a, b] { return std::vector<Tensor>{uniform(a, 1), uniform(b, 2, 0.5, 2.0)}; };
  };
  const auto one = [](Shape a, double low = -1.0, double high = 1.0) {
    return [a, low, high] { return std::vector<Tensor>{uniform(a, 3, low, high)}; };
  };
  return {
      op("add [2,3]+[2,3]", [](In x) { return add(x[0], x[1]); }, two({2, 3}, {2, 3})),
      op("add [2,3]+[3]", [](In x) { return add(x[0], x[1]); }, two({2, 3}, {3})),
      op("add [3]+[2,3]", [](In x) { return add(x[0], x[1]); }, two({3}, {2, 3})),
      op("add []+[2,3]", [](In x) { return add(x[0], x[1]); }, two({}, {2, 3})),
      op("add [1,3]+[3]", [](In x) { return add(x[0], x[1]); }, two({1, 3}, {3})),
      op("sub [2,3]-[3]", [](In x) { return sub(x[0], x[1]); }, two({2, 3}, {3})),
      op("sub [3]-[2,3]", [](In x) { return sub(x[0], x[1]); }, two({3}, {2, 3})),
      op("sub [2,1]-[1,3]", [](In x) { return sub(x[0], x[1]); }, two({2, 1}, {1, 3})),
      op("mul [2,1,3]*[4,1]", [](In x) { return mul(x[0], x[1]); }, two({2, 1, 3}, {4, 1})),
      op("mul [4,1]*[2,1,3]", [](In x) { return mul(x[0], x[1]); }, two({4, 1}, {2, 1, 3})),
      op("mul [2,3]*[2,3]", [](In x) { return mul(x[0], x[1]); }, two({2, 3}, {2, 3})),
      op("div [2,3]/[2,3]", [](In x) { return div(x[0], x[1]); }, over({2, 3}, {2, 3})),
      op("div [2,3]/[3]", [](In x) { return div(x[0], x[1]); }, over({2, 3}, {3})),
      op("div [2,3]/[2,1]", [](In x) { return div(x[0], x[1]); }, over({2, 3}, {2, 1})),
      op("div [3]/[2,3]", [](In x) { return div(x[0], x[1]); }, over({3}, {2, 3})),
      op("div [2,1,3]/[4,1]", [](In x) { return div(x[0], x[1]); }, over({2, 1, 3}, {4, 1})),
      op("operators + - * / on tensors",
         [](In x) { return (x[0] + x[1]) * (x[0] - x[1]) / x[2]; },
         [] { return std::vector<Tensor>{uniform({2, 3}, 1), uniform({3}, 2),
                                         uniform({2, 1}, 3, 0.5, 2.0)}; }),
      op("mul x*x (one tensor twice)", [](In x) { return mul(x[0], x[0]); }, one({2, 3})),
      op("div x/x", [](In x) { return div(x[0], x[0]); }, one({2, 3}, 0.5, 2.0)),
      op("x feeds two branches", [](In x) { return add(tanh(x[0]), mul(x[0], 3.0)); }, one({2, 3})),
      op("diamond exp(x)^2 + exp(x)",
         [](In x) {
           const Tensor y = exp(x[0]);
           return add(mul(y, y), y);
         },
         one({2, 3})),
      op("broadcast reuse x[3] + x[3]*m[2,3]", [](In x) { return add(x[0], mul(x[0], x[1])); },
         two({3}, {2, 3})),
      op("mul by a constant", [](In x) { return mul(x[0], constant_like(x[0], {2, 3}, 9)); },
         one({2, 3})),
      op("mul of a constant", [](In x) { return mul(constant_like(x[0], {3}, 9), x[0]); },
         one({2, 3})),
      op("div by a constant",
         [](In x) { return div(x[0], constant_like(x[0], {3}, 9, 0.5, 2.0)); }, one({2, 3})),
      op("div of a constant", [](In x) { return div(constant_like(x[0], {2, 3}, 9), x[0]); },
         one({3}, 0.5, 2.0)),
      op("add scalar", [](In x) { return add(x[0], 0.7); }, one({2, 3})),
      op("sub scalar", [](In x) { return sub(x[0], 0.7); }, one({2, 3})),
      op("mul scalar", [](In x) { return mul(x[0], -1.3); }, one({2, 3})),
      op("div scalar", [](In x) { return div(x[0], 2.5); }, one({2, 3})),
      op("rsub", [](In x) { return rsub(0.7, x[0]); }, one({2, 3})),
      op("rdiv", [](In x) { return rdiv(1.5, x[0]); }, one({2, 3}, 0.5, 2.0)),
      op("rdiv of negatives", [](In x) { return rdiv(-1.5, x[0]); }, one({2, 3}, -2.0, -0.5)),
      op("scalar operators on the right", [](In x) { return ((x[0] + 2.0) - 0.5) * 3.0 / 4.0; },
         one({2, 3})),
      op("scalar operators on the left", [](In x) { return 2.0 + (3.0 - (0.5 * (1.5 / x[0]))); },
         one({2, 3}, 0.5, 2.0)),
      op("unary minus", [](In x) { return -x[0]; }, one({2, 3})),
  };
}

/// Unary math and every activation, inputs kept off their kinks.
inline std::vector<OpCase> unary_cases() {
  const auto any = [](double low = -2.0, double high = 2.0, std::vector<double> kinks = {}) {
    return [low, high, kinks] {
      return std::vector<Tensor>{away_from(uniform({3, 4}, 5, low, high), kinks)};
    };
  };
  return {
      op("neg", [](In x) { return neg(x[0]); }, any()),
      op("square", [](In x) { return square(x[0]); }, any()),
      op("sqrt", [](In x) { return sqrt(x[0]); }, any(0.5, 2.0)),
      op("abs", [](In x) { return abs(x[0]); }, any(-2.0, 2.0, {0.0})),
      op("exp", [](In x) { return exp(x[0]); }, any()),
      op("log", [](In x) { return log(x[0]); }, any(0.5, 2.0)),
      op("pow 2", [](In x) { return pow(x[0], 2.0); }, any()),
      op("pow 3", [](In x) { return pow(x[0], 3.0); }, any()),
      op("pow 0.5", [](In x) { return pow(x[0], 0.5); }, any(0.5, 2.0)),
      op("pow -1.5", [](In x) { return pow(x[0], -1.5); }, any(0.5, 2.0)),
      op("clip [-0.5, 0.5] (some outside)", [](In x) { return clip(x[0], -0.5, 0.5); },
         any(-1.0, 1.0, {-0.5, 0.5})),
      op("tanh", [](In x) { return tanh(x[0]); }, any()),
      op("relu", [](In x) { return relu(x[0]); }, any(-2.0, 2.0, {0.0})),
      op("sigmoid", [](In x) { return sigmoid(x[0]); }, any()),
      op("hard_sigmoid", [](In x) { return hard_sigmoid(x[0]); }, any(-4.0, 4.0, {-2.5, 2.5})),
      op("elu", [](In x) { return elu(x[0]); }, any(-2.0, 2.0, {0.0})),
      op("elu alpha 0.5", [](In x) { return elu(x[0], 0.5); }, any(-2.0, 2.0, {0.0})),
      op("selu", [](In x) { return selu(x[0]); }, any(-2.0, 2.0, {0.0})),
      op("softplus", [](In x) { return softplus(x[0]); }, any(-4.0, 4.0)),
      op("softsign", [](In x) { return softsign(x[0]); }, any(-2.0, 2.0, {0.0})),
      op("exponential", [](In x) { return exponential(x[0]); }, any()),
      op("linear", [](In x) { return mul(linear(x[0]), 2.0); }, any()),
      op("swish", [](In x) { return swish(x[0]); }, any(-4.0, 4.0)),
      op("gelu", [](In x) { return gelu(x[0]); }, any(-3.0, 3.0)),
      op("relu6", [](In x) { return relu6(x[0]); }, any(-2.0, 8.0, {0.0, 6.0})),
      op("leaky_relu", [](In x) { return leaky_relu(x[0]); }, any(-2.0, 2.0, {0.0})),
      op("leaky_relu alpha 0.1", [](In x) { return leaky_relu(x[0], 0.1); },
         any(-2.0, 2.0, {0.0})),
      op("softmax axis -1", [](In x) { return softmax(x[0]); }, any()),
      op("softmax axis 0", [](In x) { return softmax(x[0], 0); }, any()),
      op("softmax axis 1 of [2,3,4]", [](In x) { return softmax(x[0].reshape({2, 3, 2}), 1); },
         any()),
      op("log_softmax axis -1", [](In x) { return log_softmax(x[0]); }, any()),
      op("log_softmax axis 0", [](In x) { return log_softmax(x[0], 0); }, any()),
      op("log_softmax axis 1 of [2,3,2]",
         [](In x) { return log_softmax(x[0].reshape({2, 3, 2}), 1); }, any()),
  };
}

/// Matmul, transpose, reductions, shape and indexing ops, dtype conversion, clone.
inline std::vector<OpCase> structural_cases() {
  const auto one = [](Shape a) { return [a] { return std::vector<Tensor>{uniform(a, 11)}; }; };
  const auto two = [](Shape a, Shape b) {
    return [a, b] { return std::vector<Tensor>{uniform(a, 12), uniform(b, 13)}; };
  };
  // Multiples of 1/1024 near 1 and a power-of-two step: x +- h is exact in float32, so the
  // finite difference of a float32 round trip is exact too.
  const auto float32_exact = [] {
    Tensor t = uniform({2, 3}, 14);
    double* p = t.mutable_data<double>();
    for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = std::round(p[i] * 1024.0) / 1024.0;
    return std::vector<Tensor>{t};
  };
  return {
      op("matmul [3,4]x[4,5]", [](In x) { return matmul(x[0], x[1]); }, two({3, 4}, {4, 5})),
      op("matmul [2,3,4]x[4,5]", [](In x) { return matmul(x[0], x[1]); }, two({2, 3, 4}, {4, 5})),
      op("matmul by a constant", [](In x) { return matmul(x[0], constant_like(x[0], {4, 2}, 9)); },
         one({3, 4})),
      op("matmul of a constant", [](In x) { return matmul(constant_like(x[0], {2, 3}, 9), x[0]); },
         one({3, 4})),
      op("matmul x x", [](In x) { return matmul(x[0], x[0]); }, one({3, 3})),
      op("transpose", [](In x) { return matmul(transpose(x[0]), x[1]); }, two({3, 4}, {3, 2})),
      op("sum all", [](In x) { return sum(x[0]); }, one({2, 3, 4})),
      op("sum of a scalar", [](In x) { return sum(x[0]); }, one({})),
      op("sum axis 0", [](In x) { return sum(x[0], 0); }, one({2, 3, 4})),
      op("sum axis 1 keepdims", [](In x) { return sum(x[0], 1, true); }, one({2, 3, 4})),
      op("sum axis -1", [](In x) { return sum(x[0], -1); }, one({2, 3, 4})),
      op("sum axis of extent 1", [](In x) { return sum(x[0], 1); }, one({3, 1})),
      op("mean all", [](In x) { return mean(x[0]); }, one({2, 3, 4})),
      op("mean axis 0 keepdims", [](In x) { return mean(x[0], 0, true); }, one({2, 3, 4})),
      op("mean axis 1", [](In x) { return mean(x[0], 1); }, one({2, 3, 4})),
      op("mean axis -1 keepdims", [](In x) { return mean(x[0], -1, true); }, one({2, 3, 4})),
      op("sum_to_shape [2,3]->[3]", [](In x) { return sum_to_shape(x[0], {3}); }, one({2, 3})),
      op("sum_to_shape [2,3]->[2,1]", [](In x) { return sum_to_shape(x[0], {2, 1}); }, one({2, 3})),
      op("sum_to_shape [2,3,4]->[3,1]", [](In x) { return sum_to_shape(x[0], {3, 1}); },
         one({2, 3, 4})),
      op("sum_to_shape [1,3]->[3]", [](In x) { return sum_to_shape(x[0], {3}); }, one({1, 3})),
      op("reshape", [](In x) { return mul(reshape(x[0], {3, 2}), x[1]); }, two({2, 3}, {3, 2})),
      op("Tensor::reshape", [](In x) { return tanh(x[0].reshape({6})); }, one({2, 3})),
      op("slice axis 0", [](In x) { return slice(x[0], 0, 1, 3); }, one({3, 4})),
      op("slice axis 1", [](In x) { return slice(x[0], 1, 1, 3); }, one({3, 4, 2})),
      op("slice axis -1", [](In x) { return slice(x[0], -1, 0, 1); }, one({3, 4})),
      op("select axis 0", [](In x) { return select(x[0], 0, 2); }, one({3, 4})),
      op("select axis 1", [](In x) { return select(x[0], 1, 0); }, one({3, 4, 2})),
      op("select axis -1", [](In x) { return select(x[0], -1, 3); }, one({3, 4})),
      op("reverse axis 0", [](In x) { return mul(reverse(x[0], 0), x[1]); },
         two({3, 4}, {3, 4})),
      op("reverse axis 1", [](In x) { return mul(reverse(x[0], 1), x[1]); },
         two({2, 3, 2}, {2, 3, 2})),
      op("reverse axis -1", [](In x) { return mul(reverse(x[0], -1), x[1]); },
         two({3, 4}, {3, 4})),
      op("stack axis 0", [](In x) { return stack({x[0], x[1], x[0]}, 0); }, two({2, 3}, {2, 3})),
      op("stack axis 1", [](In x) { return stack({x[0], x[1]}, 1); }, two({2, 3}, {2, 3})),
      op("stack axis -1", [](In x) { return stack({x[1], x[0]}, -1); }, two({2, 3}, {2, 3})),
      op("concat axis 0", [](In x) { return concat({x[0], x[1]}, 0); }, two({2, 3}, {4, 3})),
      op("concat axis 1", [](In x) { return concat({x[0], x[1], x[0]}, 1); },
         two({2, 3}, {2, 1})),
      op("concat axis -1", [](In x) { return concat({x[1], x[0]}, -1); },
         two({2, 2, 3}, {2, 2, 1})),
      op("unstack axis 0, pieces reused and one unused",
         [](In x) {
           const auto pieces = unstack(x[0], 0);
           return add(mul(pieces[0], pieces[2]), pieces[0]);
         },
         one({3, 4})),
      op("unstack axis -1", [](In x) { return stack(unstack(x[0], -1), 0); }, one({2, 3, 2})),
      op("where same shapes",
         [](In x) { return where(x[0], x[1], x[2]); },
         [] { return std::vector<Tensor>{bool_mask({2, 3}, {1, 0, 1, 0, 0, 1}), uniform({2, 3}, 1),
                                         uniform({2, 3}, 2)}; }),
      op("where mask [3] broadcast",
         [](In x) { return where(x[0], x[1], x[2]); },
         [] { return std::vector<Tensor>{bool_mask({3}, {1, 0, 1}), uniform({2, 3}, 1),
                                         uniform({2, 3}, 2)}; }),
      op("where mask [2,1], a [3], b [2,3]",
         [](In x) { return where(x[0], x[1], x[2]); },
         [] { return std::vector<Tensor>{bool_mask({2, 1}, {0, 1}), uniform({3}, 1),
                                         uniform({2, 3}, 2)}; }),
      op("where with a constant branch",
         [](In x) { return where(x[0], x[1], constant_like(x[1], {3}, 9)); },
         [] { return std::vector<Tensor>{bool_mask({2, 3}, {1, 0, 1, 1, 1, 0}),
                                         uniform({2, 3}, 1)}; }),
      op("clone", [](In x) { return mul(x[0].clone(), x[0]); }, one({2, 3})),
      op("Tensor::to float32 and back",
         [](In x) { return mul(x[0].to(DType::f32).to(x[0].dtype()), 3.0); }, float32_exact,
         {.step = 1.0 / 1024}),
      op("Tensor::to own dtype", [](In x) { return square(x[0].to(x[0].dtype())); }, one({2, 3})),
  };
}

/// Every loss: per-sample functions, from_logits both ways, label smoothing, the Loss objects'
/// reductions and sample weights.
inline std::vector<OpCase> loss_cases() {
  using namespace losses;
  const auto regression = [](Shape shape) {
    return [shape] {
      // |y_pred - y_true| stays >= 0.1 so MAE never sits on its kink.
      Tensor y_true = uniform(shape, 21);
      Tensor offset = away_from(uniform(shape, 22), {0.0});
      return std::vector<Tensor>{y_true, add(y_true, offset)};
    };
  };
  const auto probabilities = [](Shape shape) {
    return [shape] {
      return std::vector<Tensor>{uniform(shape, 23, 0.0, 1.0), uniform(shape, 24, 0.05, 0.95)};
    };
  };
  const auto logits = [](Shape shape) {
    return [shape] {
      return std::vector<Tensor>{uniform(shape, 23, 0.0, 1.0), uniform(shape, 24, -3.0, 3.0)};
    };
  };
  const auto one_hot_targets = [](Shape shape, bool from_logits) {
    return [shape, from_logits] {
      Tensor labels = Tensor::empty(Shape(shape.begin(), shape.end() - 1), DType::i64);
      for (std::int64_t i = 0; i < labels.numel(); ++i) {
        labels.mutable_data<std::int64_t>()[i] = (i * 2 + 1) % shape.back();
      }
      Tensor prediction = from_logits ? uniform(shape, 25, -3.0, 3.0) : uniform(shape, 25, 0.1, 1.0);
      return std::vector<Tensor>{one_hot(labels, shape.back(), DType::f64), prediction};
    };
  };
  const auto sparse = [](Shape label_shape, std::int64_t classes, bool from_logits) {
    return [label_shape, classes, from_logits] {
      Tensor labels = Tensor::empty(label_shape, DType::i64);
      for (std::int64_t i = 0; i < labels.numel(); ++i) {
        labels.mutable_data<std::int64_t>()[i] = (i * 2 + 1) % classes;
      }
      Shape prediction_shape(label_shape.begin(), label_shape.end());
      if (!prediction_shape.empty() && prediction_shape.back() == 1) prediction_shape.pop_back();
      prediction_shape.push_back(classes);
      return std::vector<Tensor>{labels, from_logits ? uniform(prediction_shape, 26, -3.0, 3.0)
                                                     : uniform(prediction_shape, 26, 0.05, 1.0)};
    };
  };
  const auto with_weight = [](std::function<std::vector<Tensor>()> base, Shape weight_shape) {
    return [base, weight_shape] {
      auto inputs = base();
      inputs.push_back(uniform(weight_shape, 27, 0.1, 2.0));
      return inputs;
    };
  };
  return {
      op("mean_squared_error", [](In x) { return mean_squared_error(x[0], x[1]); },
         regression({4, 3})),
      op("mean_squared_error [B,T,U]", [](In x) { return mean_squared_error(x[0], x[1]); },
         regression({2, 3, 2})),
      op("mean_absolute_error", [](In x) { return mean_absolute_error(x[0], x[1]); },
         regression({4, 3})),
      op("binary_crossentropy", [](In x) { return binary_crossentropy(x[0], x[1]); },
         probabilities({4, 3})),
      // In float32 1 - eps rounds to 1 - 1.19e-7, so log(1 - p + eps) differs from float64's.
      float32_sensitive(op("binary_crossentropy past the clip",
                           [](In x) { return binary_crossentropy(x[0], x[1]); },
                           [] {
                             return std::vector<Tensor>{
                                 Tensor::from_values({2, 2}, {1, 0, 0.3, 0.8}, DType::f64),
                                 Tensor::from_values({2, 2}, {1.5, -0.5, 0.4, 0.6}, DType::f64)};
                           })),
      op("binary_crossentropy label_smoothing 0.2",
         [](In x) { return binary_crossentropy(x[0], x[1], {.label_smoothing = 0.2}); },
         probabilities({4, 3})),
      op("binary_crossentropy from_logits",
         [](In x) { return binary_crossentropy(x[0], x[1], {.from_logits = true}); },
         logits({4, 3})),
      op("binary_crossentropy from_logits label_smoothing 0.1",
         [](In x) {
           return binary_crossentropy(x[0], x[1], {.from_logits = true, .label_smoothing = 0.1});
         },
         logits({4, 3})),
      op("categorical_crossentropy", [](In x) { return categorical_crossentropy(x[0], x[1]); },
         one_hot_targets({4, 3}, false)),
      op("categorical_crossentropy soft targets",
         [](In x) { return categorical_crossentropy(x[0], x[1]); }, probabilities({4, 3})),
      op("categorical_crossentropy label_smoothing 0.3",
         [](In x) { return categorical_crossentropy(x[0], x[1], {.label_smoothing = 0.3}); },
         one_hot_targets({4, 3}, false)),
      op("categorical_crossentropy from_logits",
         [](In x) { return categorical_crossentropy(x[0], x[1], {.from_logits = true}); },
         one_hot_targets({4, 3}, true)),
      op("categorical_crossentropy from_logits label_smoothing 0.1 [B,T,C]",
         [](In x) {
           return categorical_crossentropy(x[0], x[1],
                                           {.from_logits = true, .label_smoothing = 0.1});
         },
         one_hot_targets({2, 3, 4}, true)),
      op("sparse_categorical_crossentropy labels [B]",
         [](In x) { return sparse_categorical_crossentropy(x[0], x[1]); }, sparse({4}, 3, false)),
      op("sparse_categorical_crossentropy labels [B,1]",
         [](In x) { return sparse_categorical_crossentropy(x[0], x[1]); },
         sparse({4, 1}, 3, false)),
      op("sparse_categorical_crossentropy from_logits",
         [](In x) { return sparse_categorical_crossentropy(x[0], x[1], true); },
         sparse({4}, 3, true)),
      op("sparse_categorical_crossentropy from_logits [B,T]",
         [](In x) { return sparse_categorical_crossentropy(x[0], x[1], true); },
         sparse({2, 3}, 4, true)),
      op("MeanSquaredError sum_over_batch_size",
         [](In x) { return MeanSquaredError()(x[0], x[1]); }, regression({4, 3})),
      op("MeanSquaredError sum", [](In x) {
           return MeanSquaredError({.reduction = Reduction::sum})(x[0], x[1]); },
         regression({4, 3})),
      op("MeanSquaredError none", [](In x) {
           return MeanSquaredError({.reduction = Reduction::none})(x[0], x[1]); },
         regression({4, 3})),
      op("MeanSquaredError y_true [B] vs y_pred [B,1]",
         [](In x) { return MeanSquaredError()(x[0].reshape({4}), x[1]); }, regression({4, 1})),
      op("MeanSquaredError sample_weight [B]",
         [](In x) { return MeanSquaredError()(x[0], x[1], x[2]); },
         with_weight(regression({4, 3}), {4})),
      op("MeanSquaredError sample_weight [B,1]",
         [](In x) { return MeanSquaredError()(x[0], x[1], x[2]); },
         with_weight(regression({4, 3}), {4, 1})),
      op("MeanSquaredError scalar sample_weight",
         [](In x) { return MeanSquaredError({.reduction = Reduction::sum})(x[0], x[1], x[2]); },
         with_weight(regression({4, 3}), {})),
      op("MeanSquaredError [B,T,U] sample_weight [B]",
         [](In x) { return MeanSquaredError()(x[0], x[1], x[2]); },
         with_weight(regression({2, 3, 2}), {2})),
      op("MeanSquaredError [B,T,U] sample_weight [B,T] none",
         [](In x) { return MeanSquaredError({.reduction = Reduction::none})(x[0], x[1], x[2]); },
         with_weight(regression({2, 3, 2}), {2, 3})),
      op("MeanAbsoluteError sum sample_weight",
         [](In x) { return MeanAbsoluteError({.reduction = Reduction::sum})(x[0], x[1], x[2]); },
         with_weight(regression({4, 3}), {4})),
      op("BinaryCrossentropy from_logits label_smoothing sample_weight",
         [](In x) {
           return BinaryCrossentropy({.from_logits = true, .label_smoothing = 0.2})(x[0], x[1],
                                                                                    x[2]);
         },
         with_weight(logits({4, 3}), {4})),
      op("BinaryCrossentropy from probabilities, none",
         [](In x) { return BinaryCrossentropy({.reduction = Reduction::none})(x[0], x[1]); },
         probabilities({4, 3})),
      op("CategoricalCrossentropy label_smoothing sum",
         [](In x) {
           return CategoricalCrossentropy({.label_smoothing = 0.1,
                                           .reduction = Reduction::sum})(x[0], x[1]);
         },
         one_hot_targets({4, 3}, false)),
      op("CategoricalCrossentropy from_logits sample_weight",
         [](In x) { return CategoricalCrossentropy({.from_logits = true})(x[0], x[1], x[2]); },
         with_weight(one_hot_targets({4, 3}, true), {4, 1})),
      op("SparseCategoricalCrossentropy sample_weight",
         [](In x) { return SparseCategoricalCrossentropy()(x[0], x[1], x[2]); },
         with_weight(sparse({4}, 3, false), {4})),
      op("SparseCategoricalCrossentropy from_logits sum",
         [](In x) {
           return SparseCategoricalCrossentropy({.from_logits = true,
                                                 .reduction = Reduction::sum})(x[0], x[1]);
         },
         sparse({4, 1}, 3, true)),
      op("AnyLoss(\"bce\")", [](In x) { return AnyLoss("bce")(x[0], x[1]); },
         probabilities({4, 3})),
      op("AnyLoss(callable)",
         [](In x) {
           return AnyLoss([](const Tensor& t, const Tensor& p) { return sum(mul(t, p), -1); })(
               x[0], x[1], x[2]);
         },
         with_weight(regression({4, 3}), {4})),
  };
}

}  // namespace rnnkit::testing
