#include "merge.h"

#include <fmt/format.h>
#include <rnnkit/framework/ops.h>

#include <stdexcept>

#include "checks.h"

namespace rnnkit::layers::detail {

std::vector<Tensor> merge_inputs(std::string_view label, const std::vector<Tensor>& inputs,
                                 DType dtype) {
  if (inputs.size() < 2) {
    throw std::invalid_argument(
        fmt::format("{}: a merge layer should be called on a list of at least 2 inputs, given {}",
                    label, inputs.size()));
  }
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    check_float(label, fmt::format("inputs[{}]", i), inputs[i]);
    out.push_back(inputs[i].to(dtype));
  }
  return out;
}

std::string merge_shapes(const std::vector<Tensor>& inputs) {
  std::string out;
  for (const Tensor& input : inputs) out += (out.empty() ? "" : ", ") + shape_str(input.shape());
  return out;
}

Tensor mask_values(const Tensor& mask) {
  return not_equal(mask.detach().to(DType::f64), 0.0).to(DType::f64);
}

}  // namespace rnnkit::layers::detail
