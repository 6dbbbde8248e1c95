#pragma once

#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "memory_pool.h"
#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/tensor.h"

namespace rnnkit::detail {

/// One 64-byte aligned allocation from the memory pool (or a borrowed buffer), shared by every
/// tensor that views it.
struct Storage {
  explicit Storage(std::size_t nbytes);
  /// The caller's `nbytes` at `borrowed`, never freed here (Tensor::from_buffer).
  Storage(void* borrowed, std::size_t nbytes);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  PooledMemory memory;
  void* data = nullptr;
  std::size_t nbytes = 0;
  std::atomic<std::uint64_t> version{0};
};

struct TensorImpl {
  Shape shape;
  DType dtype = DType::f32;
  std::shared_ptr<Storage> storage;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;
  int output_index = 0;
  Tensor grad;

  template <class T>
  T* ptr() const {
    return static_cast<T*>(storage->data);
  }
};

std::shared_ptr<TensorImpl> make_impl(Shape shape, DType dtype);

/// Calls f with a value of the C++ type matching a floating dtype (float or double).
template <class F>
decltype(auto) dispatch_float(std::string_view op, DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32:
      return f(float{});
    case DType::f64:
      return f(double{});
    default:
      throw std::invalid_argument(
          fmt::format("{}: expected a float32 or float64 tensor, got {}", op, dtype_name(dtype)));
  }
}

/// Calls f with a value of the C++ type matching any dtype.
template <class F>
decltype(auto) dispatch_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32:
      return f(float{});
    case DType::f64:
      return f(double{});
    case DType::boolean:
      return f(std::uint8_t{});
    case DType::i64:
      break;
  }
  return f(std::int64_t{});
}

/// Throws std::invalid_argument naming `op` unless `tensor` is defined.
void require_defined(std::string_view op, const Tensor& tensor, std::string_view argument);
/// Throws std::invalid_argument unless `tensor` is f32 or f64.
void require_floating(std::string_view op, const Tensor& tensor, std::string_view argument);
/// Throws std::invalid_argument unless both tensors share one dtype.
void require_same_dtype(std::string_view op, const Tensor& a, const Tensor& b);
/// Throws std::invalid_argument unless `tensor` has shape `expected`, which the message names
/// as `meaning` (e.g. "[units, units]").
void require_shape(std::string_view op, const Tensor& tensor, std::string_view argument,
                   std::string_view meaning, const Shape& expected);

}  // namespace rnnkit::detail
