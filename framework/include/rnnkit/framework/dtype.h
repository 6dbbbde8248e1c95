#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string_view>

namespace rnnkit {

/// Element type of a Tensor. f32 is the default and runs on oneDNN; f64 runs on Eigen and is
/// what gradient checks use. boolean and i64 hold masks and class labels (no gradients).
enum class DType : std::uint8_t { f32, f64, boolean, i64 };

/// "float32", "float64", "bool", "int64" (Keras's dtype names).
std::string_view dtype_name(DType dtype);
/// Bytes per element.
std::size_t dtype_size(DType dtype);
/// True for f32 and f64, the dtypes gradients flow through.
constexpr bool is_floating(DType dtype) { return dtype == DType::f32 || dtype == DType::f64; }
/// Parses "float32"/"f32", "float64"/"f64"; throws std::invalid_argument otherwise.
DType parse_float_dtype(std::string_view name);
/// Writes dtype_name(dtype).
std::ostream& operator<<(std::ostream& out, DType dtype);

}  // namespace rnnkit
