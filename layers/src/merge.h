#pragma once

// What Keras's merge layers (_Merge: Add, Concatenate) share.

#include <rnnkit/framework/tensor.h>

#include <string_view>
#include <vector>

namespace rnnkit::layers::detail {

/// `inputs` converted to `dtype`, after checking there are at least two, all defined floats.
std::vector<Tensor> merge_inputs(std::string_view label, const std::vector<Tensor>& inputs,
                                 DType dtype);
/// "[2, 3], [2, 4]".
std::string merge_shapes(const std::vector<Tensor>& inputs);
/// `mask` (any dtype, non-zero keeps) as float64 0/1, outside the graph.
Tensor mask_values(const Tensor& mask);

}  // namespace rnnkit::layers::detail
