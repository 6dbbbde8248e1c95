#include "rnnkit/layers/dropout_mask.h"

#include <fmt/format.h>

#include <stdexcept>

namespace rnnkit::layers {
namespace {

template <class T>
Tensor inverted_dropout(const Shape& shape, DType dtype, double rate, Generator& generator) {
  Tensor mask = Tensor::empty(shape, dtype);
  T* values = mask.mutable_data<T>();
  const T kept = static_cast<T>(1.0 / (1.0 - rate));
  for (std::int64_t i = 0; i < mask.numel(); ++i) {
    values[i] = generator.uniform() < rate ? T{0} : kept;
  }
  return mask;
}

}  // namespace

const std::vector<Tensor>& DropoutMaskCache::get(const Shape& shape, DType dtype, bool training,
                                                 int count, Generator& generator) {
  if (rate_ == 0.0 || !masks_.empty()) return masks_;
  if (count < 1) {
    throw std::invalid_argument(fmt::format("dropout mask: count must be >= 1, got {}", count));
  }
  for (int i = 0; i < count; ++i) {
    if (!training) {
      masks_.push_back(Tensor::ones(shape, dtype));
    } else if (dtype == DType::f64) {
      masks_.push_back(inverted_dropout<double>(shape, dtype, rate_, generator));
    } else {
      masks_.push_back(inverted_dropout<float>(shape, dtype, rate_, generator));
    }
  }
  identity_ = !training;
  return masks_;
}

void DropoutMaskCache::reset() {
  masks_.clear();
  identity_ = false;
}

}  // namespace rnnkit::layers
