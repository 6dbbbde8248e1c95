#include "rnnkit/framework/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

#include "rnnkit/framework/autograd.h"
#include "rnnkit/framework/random.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace detail {

Storage::Storage(std::size_t bytes)
    : memory(acquire_memory(bytes)), data(memory.get()), nbytes(bytes) {}

Storage::Storage(void* borrowed, std::size_t bytes) : data(borrowed), nbytes(bytes) {}

std::shared_ptr<TensorImpl> make_impl(Shape shape, DType dtype) {
  for (auto d : shape) {
    if (d < 0) {
      throw std::invalid_argument(
          fmt::format("Tensor: dimensions must be non-negative, got shape {}", shape_str(shape)));
    }
  }
  // The byte count must fit an int64 too, or it wraps to a small allocation.
  const std::int64_t elements = numel(shape);
  const auto element_size = static_cast<std::int64_t>(dtype_size(dtype));
  if (elements > std::numeric_limits<std::int64_t>::max() / element_size) {
    throw std::invalid_argument(fmt::format(
        "Tensor: shape {} of {} is too large: its size in bytes overflows a 64-bit integer",
        shape_str(shape), dtype_name(dtype)));
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<std::size_t>(elements * element_size));
  impl->shape = std::move(shape);
  impl->dtype = dtype;
  return impl;
}

void require_defined(std::string_view op, const Tensor& tensor, std::string_view argument) {
  if (!tensor.defined()) {
    throw std::invalid_argument(
        fmt::format("{}: argument '{}' is an undefined tensor", op, argument));
  }
}

void require_floating(std::string_view op, const Tensor& tensor, std::string_view argument) {
  require_defined(op, tensor, argument);
  if (!is_floating(tensor.dtype())) {
    throw std::invalid_argument(fmt::format("{}: argument '{}' must be float32 or float64, got {}",
                                            op, argument, dtype_name(tensor.dtype())));
  }
}

void require_same_dtype(std::string_view op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    throw std::invalid_argument(
        fmt::format("{}: both tensors must have the same dtype, got {} and {}", op,
                    dtype_name(a.dtype()), dtype_name(b.dtype())));
  }
}

void require_shape(std::string_view op, const Tensor& tensor, std::string_view argument,
                   std::string_view meaning, const Shape& expected) {
  if (tensor.shape() != expected) {
    throw std::invalid_argument(fmt::format("{}: argument '{}' must be {} = {}, got shape {}", op,
                                            argument, meaning, shape_str(expected),
                                            shape_str(tensor.shape())));
  }
}

}  // namespace detail

namespace {

using detail::dispatch_any;
using detail::TensorImpl;

std::int64_t flat_index(const Shape& shape, std::initializer_list<std::int64_t> index) {
  if (index.size() != shape.size()) {
    throw std::invalid_argument(
        fmt::format("Tensor::at: expected an index of {} coordinates for shape {}, got {}",
                    shape.size(), shape_str(shape), index.size()));
  }
  std::int64_t flat = 0;
  std::size_t axis = 0;
  for (auto i : index) {
    if (i < 0 || i >= shape[axis]) {
      throw std::invalid_argument(
          fmt::format("Tensor::at: index {} is out of range for axis {} of shape {}", i, axis,
                      shape_str(shape)));
    }
    flat = flat * shape[axis] + i;
    ++axis;
  }
  return flat;
}

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>)
    return DType::f32;
  else if constexpr (std::is_same_v<T, double>)
    return DType::f64;
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return DType::boolean;
  else
    return DType::i64;
}

template <class T, class S>
T converted(S v) {
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return v != S{0} ? 1 : 0;
  else
    return static_cast<T>(v);
}

template <class S>
Tensor copy_of_values(Shape shape, std::span<const S> values, DType dtype) {
  if (static_cast<std::int64_t>(values.size()) != rnnkit::numel(shape)) {
    throw std::invalid_argument(fmt::format("Tensor::from_values: shape {} needs {} values, got {}",
                                            shape_str(shape), rnnkit::numel(shape), values.size()));
  }
  Tensor t = Tensor::empty(std::move(shape), dtype);
  dispatch_any(dtype, [&](auto zero) {
    using T = decltype(zero);
    std::transform(values.begin(), values.end(), t.impl()->ptr<T>(), converted<T, S>);
  });
  return t;
}

template <class T>
Tensor view_of_buffer(Shape shape, std::span<T> buffer) {
  if (std::ranges::any_of(shape, [](std::int64_t d) { return d < 0; })) {
    throw std::invalid_argument(fmt::format(
        "Tensor::from_buffer: dimensions must be non-negative, got shape {}", shape_str(shape)));
  }
  std::int64_t elements = 0;
  try {
    elements = rnnkit::numel(shape);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("Tensor::from_buffer: {}", error.what()));
  }
  if (elements != static_cast<std::int64_t>(buffer.size())) {
    throw std::invalid_argument(fmt::format(
        "Tensor::from_buffer: shape {} needs a buffer of {} elements, the one given holds {}",
        shape_str(shape), elements, buffer.size()));
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<detail::Storage>(buffer.data(), buffer.size_bytes());
  impl->shape = std::move(shape);
  impl->dtype = dtype_of<T>();
  return Tensor(std::move(impl));
}

void append_values(std::string& out, const Tensor& t, const std::vector<double>& v,
                   std::size_t axis, std::int64_t offset, std::int64_t stride) {
  const auto& shape = t.shape();
  const std::int64_t n = shape[axis];
  const std::int64_t inner = stride / n;
  constexpr std::int64_t edge = 3;
  out += '[';
  for (std::int64_t i = 0; i < n; ++i) {
    if (n > 2 * edge && i == edge) {
      out += "..., ";
      i = n - edge - 1;
      continue;
    }
    if (axis + 1 == shape.size()) {
      out += fmt::format("{:.6g}", v[static_cast<std::size_t>(offset + i)]);
    } else {
      append_values(out, t, v, axis + 1, offset + i * inner, inner);
    }
    if (i + 1 < n) out += ", ";
  }
  out += ']';
}

}  // namespace

const detail::TensorImpl& Tensor::checked_impl() const {
  if (!impl_) throw std::logic_error("Tensor: operation on an undefined tensor");
  return *impl_;
}

Tensor Tensor::empty(Shape shape, DType dtype) {
  return Tensor(detail::make_impl(std::move(shape), dtype));
}

Tensor Tensor::zeros(Shape shape, DType dtype) {
  Tensor t = empty(std::move(shape), dtype);
  std::memset(t.impl_->storage->data, 0, t.impl_->storage->nbytes);
  return t;
}

Tensor Tensor::ones(Shape shape, DType dtype) { return full(std::move(shape), 1.0, dtype); }

Tensor Tensor::full(Shape shape, double value, DType dtype) {
  Tensor t = empty(std::move(shape), dtype);
  t.fill_(value);
  return t;
}

Tensor Tensor::scalar(double value, DType dtype) { return full({}, value, dtype); }

Tensor Tensor::from_values(Shape shape, std::span<const double> values, DType dtype) {
  return copy_of_values(std::move(shape), values, dtype);
}

Tensor Tensor::from_values(Shape shape, std::span<const float> values, DType dtype) {
  return copy_of_values(std::move(shape), values, dtype);
}

Tensor Tensor::from_values(Shape shape, std::span<const std::int64_t> values, DType dtype) {
  return copy_of_values(std::move(shape), values, dtype);
}

Tensor Tensor::from_values(Shape shape, std::initializer_list<double> values, DType dtype) {
  return from_values(std::move(shape), std::span<const double>(values.begin(), values.size()),
                     dtype);
}

Tensor Tensor::from_buffer(Shape shape, std::span<float> buffer) {
  return view_of_buffer(std::move(shape), buffer);
}

Tensor Tensor::from_buffer(Shape shape, std::span<double> buffer) {
  return view_of_buffer(std::move(shape), buffer);
}

Tensor Tensor::from_buffer(Shape shape, std::span<std::int64_t> buffer) {
  return view_of_buffer(std::move(shape), buffer);
}

Tensor Tensor::uniform(Shape shape, double low, double high, Generator& generator, DType dtype) {
  if (!(low <= high)) {
    throw std::invalid_argument(
        fmt::format("Tensor::uniform: low must not exceed high, got low={} high={}", low, high));
  }
  Tensor t = empty(std::move(shape), dtype);
  detail::dispatch_float("Tensor::uniform", dtype, [&](auto zero) {
    using T = decltype(zero);
    T* p = t.impl_->ptr<T>();
    for (std::int64_t i = 0; i < t.numel(); ++i)
      p[i] = static_cast<T>(generator.uniform(low, high));
  });
  return t;
}

Tensor Tensor::normal(Shape shape, double mean, double stddev, Generator& generator, DType dtype) {
  if (!(stddev >= 0)) {
    throw std::invalid_argument(
        fmt::format("Tensor::normal: stddev must be non-negative, got {}", stddev));
  }
  Tensor t = empty(std::move(shape), dtype);
  detail::dispatch_float("Tensor::normal", dtype, [&](auto zero) {
    using T = decltype(zero);
    T* p = t.impl_->ptr<T>();
    for (std::int64_t i = 0; i < t.numel(); ++i)
      p[i] = static_cast<T>(generator.normal(mean, stddev));
  });
  return t;
}

const Shape& Tensor::shape() const { return checked_impl().shape; }
std::int64_t Tensor::dim() const { return static_cast<std::int64_t>(shape().size()); }
std::int64_t Tensor::size(std::int64_t axis) const {
  return shape()[static_cast<std::size_t>(normalize_axis("Tensor::size", axis, shape().size()))];
}
std::int64_t Tensor::numel() const { return rnnkit::numel(shape()); }
DType Tensor::dtype() const { return checked_impl().dtype; }

double Tensor::item() const {
  if (numel() != 1) {
    throw std::invalid_argument(fmt::format(
        "Tensor::item: expected a tensor with one element, got shape {}", shape_str(shape())));
  }
  return to_vector()[0];
}

double Tensor::at(std::initializer_list<std::int64_t> index) const {
  const std::int64_t flat = flat_index(shape(), index);
  return dispatch_any(dtype(), [&](auto zero) {
    using T = decltype(zero);
    return static_cast<double>(impl_->ptr<T>()[flat]);
  });
}

void Tensor::set(std::initializer_list<std::int64_t> index, double value) {
  const std::int64_t flat = flat_index(shape(), index);
  dispatch_any(dtype(), [&](auto zero) {
    using T = decltype(zero);
    mutable_data<T>()[flat] = converted<T>(value);
  });
}

std::vector<double> Tensor::to_vector() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  dispatch_any(dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* p = impl_->ptr<T>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(p[i]);
  });
  return out;
}

template <class T>
const T* Tensor::data() const {
  if (dtype() != dtype_of<T>()) {
    throw std::invalid_argument(fmt::format("Tensor::data: the tensor is {}, not {}",
                                            dtype_name(dtype()), dtype_name(dtype_of<T>())));
  }
  return impl_->ptr<T>();
}

template <class T>
T* Tensor::mutable_data() {
  const T* p = data<T>();
  ++impl_->storage->version;
  return const_cast<T*>(p);
}

template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template const std::uint8_t* Tensor::data<std::uint8_t>() const;
template const std::int64_t* Tensor::data<std::int64_t>() const;
template float* Tensor::mutable_data<float>();
template double* Tensor::mutable_data<double>();
template std::uint8_t* Tensor::mutable_data<std::uint8_t>();
template std::int64_t* Tensor::mutable_data<std::int64_t>();

void Tensor::copy_(const Tensor& source) {
  detail::require_defined("Tensor::copy_", source, "source");
  if (source.shape() != shape()) {
    throw std::invalid_argument(fmt::format("Tensor::copy_: expected a source of shape {}, got {}",
                                            shape_str(shape()), shape_str(source.shape())));
  }
  if (source.dtype() == dtype()) {
    if (source.impl_->storage != impl_->storage) {
      std::memcpy(impl_->storage->data, source.impl_->storage->data,
                  static_cast<std::size_t>(numel()) * dtype_size(dtype()));
    }
    ++impl_->storage->version;
    return;
  }
  dispatch_any(dtype(), [&](auto dst_zero) {
    using D = decltype(dst_zero);
    D* dst = mutable_data<D>();
    dispatch_any(source.dtype(), [&](auto src_zero) {
      using S = decltype(src_zero);
      const S* src = source.impl_->ptr<S>();
      for (std::int64_t i = 0; i < numel(); ++i) dst[i] = converted<D>(static_cast<double>(src[i]));
    });
  });
}

void Tensor::fill_(double value) {
  dispatch_any(dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = mutable_data<T>();
    std::fill_n(p, numel(), converted<T>(value));
  });
}

Tensor Tensor::reshape(Shape new_shape) const {
  const Shape& old_shape = shape();
  if (rnnkit::numel(new_shape) != numel()) {
    throw std::invalid_argument(fmt::format(
        "reshape: cannot reshape a tensor of shape {} ({} elements) to {} ({} elements)",
        shape_str(old_shape), numel(), shape_str(new_shape), rnnkit::numel(new_shape)));
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = std::move(new_shape);
  impl->dtype = dtype();
  impl->storage = impl_->storage;
  return record("reshape", {*this}, Tensor(std::move(impl)),
                [old_shape](const std::vector<Tensor>& g) -> std::vector<Tensor> {
                  return {g[0].reshape(old_shape)};
                });
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  if (requires_grad() && !is_floating(target)) {
    throw std::invalid_argument(fmt::format(
        "Tensor::to: cannot convert a tensor that requires grad to {}", dtype_name(target)));
  }
  Tensor out = empty(shape(), target);
  out.copy_(*this);
  const DType source = dtype();
  return record("to", {*this}, out, [source](const std::vector<Tensor>& g) -> std::vector<Tensor> {
    return {g[0].to(source)};
  });
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype());
  out.copy_(*this);
  return record("clone", {*this}, out,
                [](const std::vector<Tensor>& g) -> std::vector<Tensor> { return {g[0]}; });
}

Tensor Tensor::detach() const {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape();
  impl->dtype = dtype();
  impl->storage = impl_->storage;
  return Tensor(std::move(impl));
}

bool Tensor::shares_storage_with(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage == other.impl_->storage;
}

bool Tensor::requires_grad() const { return checked_impl().requires_grad; }

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  if (requires_grad && !is_floating(dtype())) {
    throw std::invalid_argument(
        fmt::format("set_requires_grad: only float32 and float64 tensors can require grad, got {}",
                    dtype_name(dtype())));
  }
  if (!is_leaf()) {
    throw std::logic_error(
        "set_requires_grad: only leaf tensors can change requires_grad; use detach() first");
  }
  impl_->requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_leaf() const { return checked_impl().grad_fn == nullptr; }
bool Tensor::has_grad() const { return checked_impl().grad.defined(); }

const Tensor& Tensor::grad() const {
  if (!has_grad()) {
    throw std::logic_error(fmt::format(
        "grad: this tensor (shape {}) has no gradient: it {} and no backward() has reached it",
        shape_str(shape()), requires_grad() ? "requires grad" : "does not require grad"));
  }
  return impl_->grad;
}

void Tensor::zero_grad() {
  if (has_grad()) impl_->grad.fill_(0.0);
}

void Tensor::clear_grad() {
  checked_impl();
  impl_->grad = Tensor();
}

const std::shared_ptr<Node>& Tensor::grad_fn() const { return checked_impl().grad_fn; }
int Tensor::output_index() const { return checked_impl().output_index; }
std::uint64_t Tensor::version() const { return checked_impl().storage->version.load(); }

std::string to_string(const Tensor& tensor) {
  if (!tensor.defined()) return "Tensor(undefined)";
  std::string out = fmt::format("Tensor(shape={}, dtype={}, values=", shape_str(tensor.shape()),
                                dtype_name(tensor.dtype()));
  const auto values = tensor.to_vector();
  if (tensor.dim() == 0) {
    out += fmt::format("{:.6g}", values[0]);
  } else if (tensor.numel() == 0) {
    out += "[]";
  } else {
    append_values(out, tensor, values, 0, 0, tensor.numel());
  }
  out += ')';
  return out;
}

}  // namespace rnnkit
