#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// Tolerances of gradcheck: an element passes when
/// |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|).
struct GradcheckOptions {
  double step = 1e-6;   ///< central-difference step h
  double rtol = 1e-6;
  double atol = 1e-9;
  std::uint64_t seed = 7;  ///< seeds the random projection of a non-scalar output
};

/// Where gradcheck found the largest disagreement.
struct GradcheckReport {
  bool passed = true;
  double worst_ratio = 0.0;  ///< error / allowed error of the worst element (<= 1 passes)
  std::size_t worst_input = 0;
  std::int64_t worst_element = 0;
  double analytic = 0.0;
  double numeric = 0.0;
  std::size_t elements_checked = 0;
  /// One line a person can read: passed or not, and the worst element.
  std::string summary() const;
};

/// Checks the analytic gradient of `function` against central finite differences in float64.
/// Floating inputs must be float64; each is differentiated. Other inputs (bool masks, int64
/// labels) are passed through unchanged. A non-scalar output is reduced as sum(output * w) with
/// a fixed random w, so every output element takes part.
GradcheckReport gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& function,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace rnnkit
