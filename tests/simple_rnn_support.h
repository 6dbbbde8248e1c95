#pragma once

// Helpers shared by the SimpleRNN suites: a plain-loop reference of the Keras recurrence
// (spec §1.3, §2.3-§2.5) written without rnnkit ops, and initializers that hand fixed values to a
// layer.

#include <rnnkit/framework/tensor.h>
#include <rnnkit/initializers/initializer.h>
#include <rnnkit/layers/simple_rnn.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "test_support.h"

namespace rnnkit::testing {

/// The scalar activation named `name` ("tanh", "relu", "sigmoid", "linear").
inline std::function<double(double)> scalar_activation(const std::string& name) {
  if (name == "tanh") return [](double v) { return std::tanh(v); };
  if (name == "relu") return [](double v) { return v > 0 ? v : 0.0; };
  if (name == "sigmoid") return [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  return [](double v) { return v; };
}

/// Everything the reference recurrence reads; vectors are row-major.
struct ReferenceCase {
  std::int64_t batch = 0, time = 0, features = 0, units = 0;
  std::vector<double> x;                    ///< [B, T, F]
  std::vector<double> kernel;               ///< [F, U]
  std::vector<double> recurrent;            ///< [U, U]
  std::vector<double> bias = {};            ///< [U] or empty
  std::vector<double> h0 = {};              ///< [B, U] or empty (zeros)
  std::vector<double> mask = {};            ///< [B, T] (non-zero keeps) or empty
  std::vector<double> input_mask = {};      ///< [B, F] or empty
  std::vector<double> recurrent_mask = {};  ///< [B, U] or empty
  std::string activation = "tanh";
  bool go_backwards = false;
  bool zero_output_for_mask = false;
};

struct ReferenceResult {
  std::vector<double> sequence;  ///< [B, T, U], processing order
  std::vector<double> last;      ///< [B, U]
  std::vector<double> state;     ///< [B, U]
};

/// The Keras recurrence in plain loops.
inline ReferenceResult reference_rnn(const ReferenceCase& c) {
  const auto act = scalar_activation(c.activation);
  const std::int64_t B = c.batch, T = c.time, F = c.features, U = c.units;
  std::vector<double> h = c.h0.empty() ? std::vector<double>(B * U, 0.0) : c.h0;
  std::vector<double> out(B * U, 0.0);
  ReferenceResult r;
  r.sequence.assign(B * T * U, 0.0);
  for (std::int64_t k = 0; k < T; ++k) {
    const std::int64_t t = c.go_backwards ? T - 1 - k : k;
    for (std::int64_t b = 0; b < B; ++b) {
      std::vector<double> fresh(U);
      for (std::int64_t u = 0; u < U; ++u) {
        double z = c.bias.empty() ? 0.0 : c.bias[u];
        for (std::int64_t f = 0; f < F; ++f) {
          const double m = c.input_mask.empty() ? 1.0 : c.input_mask[b * F + f];
          z += c.x[(b * T + t) * F + f] * m * c.kernel[f * U + u];
        }
        for (std::int64_t j = 0; j < U; ++j) {
          const double m = c.recurrent_mask.empty() ? 1.0 : c.recurrent_mask[b * U + j];
          z += h[b * U + j] * m * c.recurrent[j * U + u];
        }
        fresh[u] = act(z);
      }
      const bool keep = c.mask.empty() || c.mask[b * T + t] != 0.0;
      for (std::int64_t u = 0; u < U; ++u) {
        if (keep) {
          out[b * U + u] = fresh[u];
          h[b * U + u] = fresh[u];
        } else if (c.zero_output_for_mask) {
          out[b * U + u] = 0.0;
        }
        r.sequence[(b * T + k) * U + u] = out[b * U + u];
      }
    }
  }
  r.last = out;
  r.state = h;
  return r;
}

/// An initializer returning `value` (converted to the requested dtype).
inline initializers::AnyInitializer fixed(const Tensor& value) {
  return [value](const Shape& shape, DType dtype) {
    BOOST_REQUIRE_MESSAGE(shape == value.shape(), "fixed initializer asked for "
                                                      << shape_str(shape) << ", holds "
                                                      << shape_str(value.shape()));
    return value.detach().to(dtype).clone();
  };
}

/// `values` as a tensor of `shape`.
inline Tensor tensor_of(Shape shape, const std::vector<double>& values, DType dtype) {
  return Tensor::from_values(std::move(shape), values, dtype);
}

/// Inputs and weights of one SimpleRNN problem, drawn from fixed seeds.
struct Problem {
  std::int64_t batch = 0, time = 0, features = 0, units = 0;
  DType dtype = DType::f64;
  Tensor x = {}, kernel = {}, recurrent = {}, bias = {}, h0 = {};
};

inline Problem make_problem(DType dtype, std::int64_t batch = 3, std::int64_t time = 5,
                            std::int64_t features = 4, std::int64_t units = 3,
                            std::uint64_t seed = 11) {
  Problem p{.batch = batch, .time = time, .features = features, .units = units, .dtype = dtype};
  p.x = random_tensor({batch, time, features}, dtype, seed, -1.0, 1.0);
  p.kernel = random_tensor({features, units}, dtype, seed + 1, -0.6, 0.6);
  p.recurrent = random_tensor({units, units}, dtype, seed + 2, -0.6, 0.6);
  p.bias = random_tensor({units}, dtype, seed + 3, -0.3, 0.3);
  p.h0 = random_tensor({batch, units}, dtype, seed + 4, -0.8, 0.8);
  return p;
}

/// `options` with the problem's units, dtype and weights.
inline layers::SimpleRNNOptions options_for(const Problem& p, layers::SimpleRNNOptions options) {
  options.units = p.units;
  options.kernel_initializer = fixed(p.kernel);
  options.recurrent_initializer = fixed(p.recurrent);
  options.bias_initializer = fixed(p.bias);
  options.dtype = p.dtype;
  return options;
}

/// The reference case of the problem (initial state, mask and dropout masks left to the caller).
inline ReferenceCase case_for(const Problem& p, const std::string& activation,
                              bool use_bias = true) {
  return {.batch = p.batch,
          .time = p.time,
          .features = p.features,
          .units = p.units,
          .x = p.x.to_vector(),
          .kernel = p.kernel.to_vector(),
          .recurrent = p.recurrent.to_vector(),
          .bias = use_bias ? p.bias.to_vector() : std::vector<double>{},
          .activation = activation};
}

/// Tolerances for comparing with the float64 reference: float32 accumulates ~1e-7 per op.
inline double rtol_for(DType dtype) { return dtype == DType::f64 ? 1e-12 : 1e-5; }
inline double atol_for(DType dtype) { return dtype == DType::f64 ? 1e-12 : 1e-6; }

}  // namespace rnnkit::testing
