#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rnnkit/framework/dtype.h"
#include "rnnkit/framework/shape.h"

namespace rnnkit {

class Generator;
class Node;
struct BackwardOptions;

namespace detail {
struct TensorImpl;
}

/// An n-dimensional array: a cheap handle to shared, contiguous, row-major storage plus
/// autograd metadata. Copying a Tensor copies the handle, not the data.
class Tensor {
 public:
  /// An undefined tensor (defined() is false); most operations on it throw.
  Tensor() = default;

  static Tensor empty(Shape shape, DType dtype = DType::f32);
  static Tensor zeros(Shape shape, DType dtype = DType::f32);
  static Tensor ones(Shape shape, DType dtype = DType::f32);
  static Tensor full(Shape shape, double value, DType dtype = DType::f32);
  /// A 0-d tensor holding `value`.
  static Tensor scalar(double value, DType dtype = DType::f32);
  /// A copy of row-major `values` (a std::vector or std::span converts), converted to `dtype`
  /// (boolean: non-zero is true); their count must equal numel(shape).
  static Tensor from_values(Shape shape, std::span<const double> values, DType dtype = DType::f32);
  static Tensor from_values(Shape shape, std::initializer_list<double> values,
                            DType dtype = DType::f32);
  static Tensor from_values(Shape shape, std::span<const float> values, DType dtype = DType::f32);
  /// Ids and labels: int64 by default, copied exactly (never through a double).
  static Tensor from_values(Shape shape, std::span<const std::int64_t> values,
                            DType dtype = DType::i64);
  /// A view of the caller's row-major `buffer` without copying (numpy.frombuffer): dtype float32,
  /// float64 or int64 from the element type, buffer.size() must equal numel(shape). The buffer
  /// is not owned: it must outlive every tensor that views it — this one, its reshape() and
  /// detach() views, and any copy of the handle kept by a Variable, a layer or a recorded graph.
  /// In-place writes (set, copy_, fill_, mutable_data, an optimizer's update) change the buffer;
  /// ops and gradients write new storage. Write the buffer directly only while no graph or layer
  /// holds the tensor: the version counter, which refuses stale saved tensors, sees only writes
  /// made through the tensor.
  static Tensor from_buffer(Shape shape, std::span<float> buffer);
  static Tensor from_buffer(Shape shape, std::span<double> buffer);
  static Tensor from_buffer(Shape shape, std::span<std::int64_t> buffer);
  /// Uniform on [low, high) from `generator`.
  static Tensor uniform(Shape shape, double low, double high, Generator& generator,
                        DType dtype = DType::f32);
  /// Normal with `mean` and `stddev` from `generator`.
  static Tensor normal(Shape shape, double mean, double stddev, Generator& generator,
                       DType dtype = DType::f32);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  /// Number of dimensions.
  std::int64_t dim() const;
  /// Extent of `axis` (negative counts from the end).
  std::int64_t size(std::int64_t axis) const;
  std::int64_t numel() const;
  DType dtype() const;

  /// The single element of a one-element tensor.
  double item() const;
  /// The element at a full index, converted to double.
  double at(std::initializer_list<std::int64_t> index) const;
  /// Writes one element in place (bumps the version).
  void set(std::initializer_list<std::int64_t> index, double value);
  /// Every element, row-major, converted to double.
  std::vector<double> to_vector() const;

  /// Typed read access; T must match dtype (float, double, bool as std::uint8_t, std::int64_t).
  template <class T>
  const T* data() const;
  /// Typed write access; bumps the version so saved copies of this tensor are refused later.
  template <class T>
  T* mutable_data();
  /// Copies `source` (same shape; dtype converted) into this tensor's storage in place.
  void copy_(const Tensor& source);
  /// Sets every element to `value` in place.
  void fill_(double value);

  /// Same storage, new shape (same element count). Differentiable.
  Tensor reshape(Shape shape) const;
  /// Converted to `dtype` (a copy unless already of that dtype). Differentiable between floats.
  Tensor to(DType dtype) const;
  /// A copy with its own storage. Differentiable.
  Tensor clone() const;
  /// Same storage, cut from the graph: requires_grad() is false.
  Tensor detach() const;
  /// True when both handles share one storage.
  bool shares_storage_with(const Tensor& other) const;

  bool requires_grad() const;
  /// Marks a leaf tensor as one whose gradient is wanted; throws for non-floating dtypes.
  Tensor& set_requires_grad(bool requires_grad = true);
  /// A tensor not produced by a recorded op.
  bool is_leaf() const;
  bool has_grad() const;
  /// The accumulated gradient; throws std::logic_error if none was ever received.
  const Tensor& grad() const;
  /// Sets the accumulated gradient to zeros, keeping its buffer.
  void zero_grad();
  /// Drops the accumulated gradient entirely.
  void clear_grad();
  /// Reverse-mode differentiation from this scalar.
  void backward() const;
  void backward(const BackwardOptions& options) const;
  /// Reverse-mode differentiation with an explicit gradient of this tensor.
  void backward(const Tensor& grad_output) const;
  void backward(const Tensor& grad_output, const BackwardOptions& options) const;
  /// The node that produced this tensor (null for leaves).
  const std::shared_ptr<Node>& grad_fn() const;
  /// Which output of grad_fn() this tensor is.
  int output_index() const;
  /// Incremented by every in-place write to the storage.
  std::uint64_t version() const;

  /// For the engine and kernels.
  const std::shared_ptr<detail::TensorImpl>& impl() const { return impl_; }
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

 private:
  const detail::TensorImpl& checked_impl() const;
  std::shared_ptr<detail::TensorImpl> impl_;
};

/// "Tensor(shape=[2, 3], dtype=float32, values=[[1, 2, 3], [4, 5, 6]])", elided when large.
std::string to_string(const Tensor& tensor);

}  // namespace rnnkit

template <>
struct fmt::formatter<rnnkit::Tensor> : fmt::formatter<std::string> {
  auto format(const rnnkit::Tensor& tensor, fmt::format_context& context) const {
    return fmt::formatter<std::string>::format(rnnkit::to_string(tensor), context);
  }
};
