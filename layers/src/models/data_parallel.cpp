#include "models/data_parallel.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "models/batches.h"
#include "rnnkit/framework/shape.h"

namespace rnnkit::models::detail {
namespace {

const std::byte* bytes_of(const Tensor& tensor) {
  switch (tensor.dtype()) {
    case DType::f32:
      return reinterpret_cast<const std::byte*>(tensor.data<float>());
    case DType::f64:
      return reinterpret_cast<const std::byte*>(tensor.data<double>());
    case DType::boolean:
      return reinterpret_cast<const std::byte*>(tensor.data<std::uint8_t>());
    case DType::i64:
      return reinterpret_cast<const std::byte*>(tensor.data<std::int64_t>());
  }
  throw std::logic_error("bytes_of: unknown dtype");
}

std::byte* mutable_bytes_of(Tensor& tensor) {
  switch (tensor.dtype()) {
    case DType::f32:
      return reinterpret_cast<std::byte*>(tensor.mutable_data<float>());
    case DType::f64:
      return reinterpret_cast<std::byte*>(tensor.mutable_data<double>());
    case DType::boolean:
      return reinterpret_cast<std::byte*>(tensor.mutable_data<std::uint8_t>());
    case DType::i64:
      return reinterpret_cast<std::byte*>(tensor.mutable_data<std::int64_t>());
  }
  throw std::logic_error("mutable_bytes_of: unknown dtype");
}

std::size_t byte_size(const Tensor& tensor) {
  return static_cast<std::size_t>(tensor.numel()) * dtype_size(tensor.dtype());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first line where `ours` differs from `chief`'s, as "rank 0 has ..., this rank has ...".
std::string first_difference(const std::string& chief, const std::string& ours) {
  const std::vector<std::string> chief_lines = lines_of(chief);
  const std::vector<std::string> our_lines = lines_of(ours);
  std::size_t line = 0;
  while (line < chief_lines.size() && line < our_lines.size() &&
         chief_lines[line] == our_lines[line]) {
    ++line;
  }
  const auto at = [line](const std::vector<std::string>& lines) {
    return line < lines.size() ? fmt::format("\"{}\"", lines[line]) : std::string("nothing");
  };
  return fmt::format("rank 0 has {}, this rank has {}", at(chief_lines), at(our_lines));
}

// One bucket of gradients of element type T: every gradient of a `dtype` variable, then one
// has-a-gradient flag per such variable, summed over the ranks in one call.
template <class T>
void exchange(Distribution& distribution, std::vector<T>& bucket,
              const std::vector<Variable>& variables, DType dtype) {
  std::size_t values = 0;
  std::size_t count = 0;
  for (const Variable& variable : variables) {
    if (variable.value().dtype() != dtype) continue;
    values += static_cast<std::size_t>(variable.value().numel());
    ++count;
  }
  if (count == 0) return;
  bucket.resize(values + count);
  T* gradient = bucket.data();
  T* flag = bucket.data() + values;
  for (const Variable& variable : variables) {
    const Tensor& value = variable.value();
    if (value.dtype() != dtype) continue;
    const auto size = static_cast<std::size_t>(value.numel());
    if (value.has_grad()) {
      std::copy_n(value.grad().data<T>(), size, gradient);
      *flag = T(1);
    } else {
      std::fill_n(gradient, size, T(0));
      *flag = T(0);
    }
    gradient += size;
    ++flag;
  }
  distribution.all_reduce_sum(std::span<T>(bucket));
  gradient = bucket.data();
  flag = bucket.data() + values;
  for (const Variable& variable : variables) {
    const Tensor& value = variable.value();
    if (value.dtype() != dtype) continue;
    const auto size = static_cast<std::size_t>(value.numel());
    if (*flag > T(0)) {
      // A rank that trained on no rows this step may not have met this variable yet.
      if (!value.has_grad()) value.backward(Tensor::zeros(value.shape(), dtype));
      Tensor summed = value.grad();
      std::copy_n(gradient, size, summed.mutable_data<T>());
    }
    gradient += size;
    ++flag;
  }
}

}  // namespace

Shard shard(std::int64_t count, const Distribution* distribution) {
  if (!distribution) return {0, count};
  const std::int64_t size = distribution->size();
  const std::int64_t rank = distribution->rank();
  const std::int64_t base = count / size;
  const std::int64_t extra = count % size;
  const std::int64_t begin = rank * base + std::min(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

BatchPart batch_part(const Tensor& x, const Tensor& y, const Tensor& mask,
                     const Distribution* distribution) {
  if (!distribution) return {x, y, mask};
  const Shard part = shard(x.size(0), distribution);
  return {take_range(x, part.begin, part.end), take_range(y, part.begin, part.end),
          take_range(mask, part.begin, part.end)};
}

bool is_chief(const Distribution* distribution) {
  return !distribution || distribution->rank() == 0;
}

std::vector<callbacks::AnyCallback> callbacks_for_rank(
    const std::vector<callbacks::AnyCallback>& callbacks, const Distribution* distribution) {
  if (is_chief(distribution)) return callbacks;
  std::vector<callbacks::AnyCallback> kept;
  std::copy_if(
      callbacks.begin(), callbacks.end(), std::back_inserter(kept),
      [](const callbacks::AnyCallback& callback) { return !callback->chief_worker_only(); });
  return kept;
}

std::string describe(std::string_view name, const Tensor& tensor) {
  if (!tensor.defined()) return fmt::format("{}: none", name);
  const std::string_view bytes(reinterpret_cast<const char*>(bytes_of(tensor)), byte_size(tensor));
  return fmt::format("{}: {} {} #{:016x}", name, shape_str(tensor.shape()),
                     dtype_name(tensor.dtype()), std::hash<std::string_view>{}(bytes));
}

std::string fit_arguments(const Tensor& x, const Tensor& y, const FitOptions& options,
                          std::int64_t train_samples, const ValidationData& validation) {
  return fmt::format(
      "fit: batch_size {}, epochs {}, initial_epoch {}, shuffle {}, {} training samples\n{}\n{}\n{}"
      "\n{}\n{}\n{}\n",
      options.batch_size, options.epochs, options.initial_epoch, options.shuffle, train_samples,
      describe("x", x), describe("y", y), describe("mask", options.mask),
      describe("validation x", validation.x), describe("validation y", validation.y),
      describe("validation mask", validation.mask));
}

std::string evaluate_arguments(const Tensor& x, const Tensor& y, const EvaluateOptions& options) {
  return fmt::format("evaluate: batch_size {}\n{}\n{}\n{}\n", options.batch_size, describe("x", x),
                     describe("y", y), describe("mask", options.mask));
}

std::string batch_arguments(const Tensor& x, const Tensor& y, const Tensor& mask) {
  return fmt::format("{}\n{}\n{}\n", describe("x", x), describe("y", y), describe("mask", mask));
}

void require_same_setup(Distribution& distribution, std::string_view who,
                        const std::string& setup) {
  std::uint64_t length = setup.size();
  distribution.broadcast(std::as_writable_bytes(std::span(&length, 1)));
  std::string chief = distribution.rank() == 0 ? setup : std::string(length, '\0');
  distribution.broadcast(std::as_writable_bytes(std::span(chief.data(), chief.size())));
  std::vector<double> differs(static_cast<std::size_t>(distribution.size()), 0.0);
  differs[static_cast<std::size_t>(distribution.rank())] = chief == setup ? 0.0 : 1.0;
  distribution.all_reduce_sum(std::span(differs));
  std::vector<int> ranks;
  for (std::size_t rank = 0; rank < differs.size(); ++rank) {
    if (differs[rank] > 0.0) ranks.push_back(static_cast<int>(rank));
  }
  if (ranks.empty()) return;
  constexpr std::string_view rule =
      "every rank must build and compile the same model and pass the same arguments and data";
  if (chief != setup) {
    throw std::invalid_argument(fmt::format("{}: rank {} of {} is not set up as rank 0 is: {}; {}",
                                            who, distribution.rank(), distribution.size(),
                                            first_difference(chief, setup), rule));
  }
  const bool one = ranks.size() == 1;
  throw std::invalid_argument(fmt::format(
      "{}: {} {} of {} {} not set up as rank 0 is ({} error names the first difference); {}", who,
      one ? "rank" : "ranks", fmt::join(ranks, ", "), distribution.size(), one ? "is" : "are",
      one ? "its" : "their", rule));
}

void broadcast_values(Distribution& distribution, const std::vector<Variable>& variables) {
  std::vector<std::byte> buffer;
  for (const Variable& variable : variables) {
    const std::byte* bytes = bytes_of(variable.value());
    buffer.insert(buffer.end(), bytes, bytes + byte_size(variable.value()));
  }
  distribution.broadcast(buffer);
  if (distribution.rank() == 0) return;
  const std::byte* next = buffer.data();
  for (const Variable& variable : variables) {
    Tensor value = variable.value();
    const std::size_t size = byte_size(value);
    std::memcpy(mutable_bytes_of(value), next, size);
    next += size;
  }
}

void broadcast_order(Distribution& distribution, std::vector<std::int64_t>& order) {
  distribution.broadcast(std::as_writable_bytes(std::span(order)));
}

bool on_any_rank(Distribution& distribution, bool flag) {
  double count = flag ? 1.0 : 0.0;
  distribution.all_reduce_sum(std::span(&count, 1));
  return count > 0.0;
}

void all_reduce_gradients(DataParallel& parallel, const std::vector<Variable>& variables) {
  exchange(*parallel.distribution, parallel.f32_gradients, variables, DType::f32);
  exchange(*parallel.distribution, parallel.f64_gradients, variables, DType::f64);
}

}  // namespace rnnkit::models::detail
