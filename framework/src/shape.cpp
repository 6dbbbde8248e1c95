#include "rnnkit/framework/shape.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

namespace rnnkit {

std::int64_t numel(const Shape& shape) {
  // A zero dimension makes the shape empty, however large the others.
  if (std::ranges::find(shape, 0) != shape.end()) return 0;
  std::int64_t n = 1;
  for (auto d : shape) {
    if (__builtin_mul_overflow(n, d, &n)) {
      throw std::invalid_argument(fmt::format(
          "shape {} has more elements than a 64-bit integer can count", shape_str(shape)));
    }
  }
  return n;
}

std::string shape_str(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string index_str(const Shape& shape, std::int64_t flat) {
  Shape index(shape.size());
  for (std::size_t axis = shape.size(); axis-- > 0;) {
    index[axis] = flat % shape[axis];
    flat /= shape[axis];
  }
  return shape_str(index);
}

int normalize_axis(std::string_view op, std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) {
    throw std::invalid_argument(fmt::format(
        "{}: expected an axis in [{}, {}) for a tensor of rank {}, got {}", op, -r, r, rank, axis));
  }
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

Shape broadcast_shapes(std::string_view op, const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw std::invalid_argument(fmt::format(
          "{}: shapes {} and {} cannot be broadcast together (trailing dimensions must be equal "
          "or 1)",
          op, shape_str(a), shape_str(b)));
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace rnnkit
