#pragma once

#include <rnnkit/framework/tensor.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace rnnkit::models::detail {

/// A copy of the samples `rows` (indices along axis 0) of `tensor`; undefined stays undefined.
Tensor take_rows(const Tensor& tensor, std::span<const std::int64_t> rows);
/// A copy of the samples [start, stop) of `tensor`; undefined stays undefined.
Tensor take_range(const Tensor& tensor, std::int64_t start, std::int64_t stop);
/// 0, 1, ..., count - 1, shuffled from the process-wide seed when `shuffle`.
std::vector<std::int64_t> sample_order(std::int64_t count, bool shuffle);
/// Throws std::invalid_argument "<who>: ..." unless `tensor` is defined with rank >= 1.
void require_samples(std::string_view who, std::string_view what, const Tensor& tensor);
/// Throws unless `mask`, when defined, is [N, T] for inputs x of shape [N, T, ...].
void require_input_mask(std::string_view who, const Tensor& mask, const Tensor& x);

}  // namespace rnnkit::models::detail
