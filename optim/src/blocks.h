#pragma once

#include <Eigen/Core>
#include <cstddef>

#include "rnnkit/optim/optimizer.h"

namespace rnnkit::optim::detail {

template <class T>
using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstArrayMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

/// Elements per block: a few kilobytes per array, so the several passes an update makes over a
/// block (slots, then the value) stay in L1.
template <class T>
inline constexpr std::int64_t block_size = 4096 / sizeof(T);

template <class T>
ArrayMap<T> value_of(const UpdateBlock<T>& block) {
  return {block.value, block.size};
}
template <class T>
ConstArrayMap<T> gradient_of(const UpdateBlock<T>& block) {
  return {block.gradient, block.size};
}
template <class T>
ArrayMap<T> slot_of(const UpdateBlock<T>& block, std::size_t slot) {
  return {block.slots[slot], block.size};
}

}  // namespace rnnkit::optim::detail
