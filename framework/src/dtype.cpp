#include "rnnkit/framework/dtype.h"

#include <ostream>
#include <stdexcept>

#include <fmt/format.h>

namespace rnnkit {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::boolean: return "bool";
    case DType::i64: return "int64";
  }
  return "unknown";
}

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::boolean: return 1;
    case DType::i64: return 8;
  }
  return 0;
}

DType parse_float_dtype(std::string_view name) {
  if (name == "float32" || name == "f32") return DType::f32;
  if (name == "float64" || name == "f64") return DType::f64;
  throw std::invalid_argument(
      fmt::format("dtype: expected \"float32\" or \"float64\", got \"{}\"", name));
}

std::ostream& operator<<(std::ostream& out, DType dtype) { return out << dtype_name(dtype); }

}  // namespace rnnkit
