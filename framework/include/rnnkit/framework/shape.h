#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rnnkit {

/// Dimensions of a tensor, outermost first (row-major).
using Shape = std::vector<std::int64_t>;

/// Number of elements of a shape (1 for a scalar shape []); std::invalid_argument when the
/// count overflows an int64.
std::int64_t numel(const Shape& shape);
/// "[2, 3]".
std::string shape_str(const Shape& shape);
/// The multi-index of element `flat` of a row-major tensor of `shape`, as "[i, j, ...]".
std::string index_str(const Shape& shape, std::int64_t flat);
/// Resolves a possibly negative axis against rank; throws std::invalid_argument naming `op`.
int normalize_axis(std::string_view op, std::int64_t axis, std::size_t rank);
/// NumPy broadcasting of trailing dimensions; throws std::invalid_argument naming `op`.
Shape broadcast_shapes(std::string_view op, const Shape& a, const Shape& b);

}  // namespace rnnkit
