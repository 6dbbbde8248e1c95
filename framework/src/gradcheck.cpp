#include "rnnkit/framework/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/ops.h"
#include "rnnkit/framework/random.h"

namespace rnnkit {
namespace {

// The scalar whose gradient is compared: the output itself, or its projection on `weights`.
double scalar_value(const Tensor& output, const Tensor& weights) {
  return weights.defined() ? sum(mul(output, weights)).item() : output.item();
}

}  // namespace

std::string GradcheckReport::summary() const {
  return fmt::format(
      "gradcheck {}: {} elements, worst at input {} element {}: analytic {:.10g}, numeric "
      "{:.10g} ({:.3g} of the allowed error)",
      passed ? "passed" : "FAILED", elements_checked, worst_input, worst_element, analytic, numeric,
      worst_ratio);
}

GradcheckReport gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& function,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  std::vector<Tensor> leaves;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& input = inputs[i];
    if (!input.defined()) {
      throw std::invalid_argument(fmt::format("gradcheck: input {} is an undefined tensor", i));
    }
    if (input.dtype() == DType::f32) {
      throw std::invalid_argument(fmt::format(
          "gradcheck: input {} is float32; finite differences need float64 inputs", i));
    }
    Tensor leaf = input.detach().clone();
    if (is_floating(leaf.dtype())) leaf.set_requires_grad(true);
    leaves.push_back(leaf);
  }

  Tensor output = function(leaves);
  if (!output.defined() || output.dtype() != DType::f64) {
    throw std::invalid_argument("gradcheck: the function must return a defined float64 tensor");
  }
  Tensor weights;
  if (output.numel() != 1) {
    Generator generator(options.seed);
    weights = Tensor::normal(output.shape(), 0.0, 1.0, generator, DType::f64);
  }
  if (output.requires_grad()) {
    (weights.defined() ? sum(mul(output, weights)) : output).backward();
  }

  GradcheckReport report;
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    Tensor& leaf = leaves[i];
    if (!is_floating(leaf.dtype())) continue;
    const bool has_grad = leaf.has_grad();
    for (std::int64_t e = 0; e < leaf.numel(); ++e) {
      NoGradGuard no_grad;
      double* data = leaf.mutable_data<double>();
      const double original = data[e];
      data[e] = original + options.step;
      const double plus = scalar_value(function(leaves), weights);
      data = leaf.mutable_data<double>();
      data[e] = original - options.step;
      const double minus = scalar_value(function(leaves), weights);
      leaf.mutable_data<double>()[e] = original;

      const double numeric = (plus - minus) / (2.0 * options.step);
      const double analytic = has_grad ? leaf.grad().data<double>()[e] : 0.0;
      const double allowed =
          options.atol + options.rtol * std::max(std::abs(analytic), std::abs(numeric));
      const double ratio = std::abs(analytic - numeric) / allowed;
      ++report.elements_checked;
      if (ratio > report.worst_ratio || std::isnan(ratio)) {
        report.worst_ratio = std::isnan(ratio) ? INFINITY : ratio;
        report.worst_input = i;
        report.worst_element = e;
        report.analytic = analytic;
        report.numeric = numeric;
      }
    }
  }
  report.passed = report.worst_ratio <= 1.0;
  return report;
}

}  // namespace rnnkit
