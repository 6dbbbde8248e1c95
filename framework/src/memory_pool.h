#pragma once

// Freed memory kept for reuse. A training step allocates and frees the same sizes over and
// over (tensors, RNN workspaces); returning them to malloc lets glibc give large blocks back to
// the kernel and fault them in again on the next step, which cost up to 40% of a per-step RNN
// training step. Idle blocks are bounded (count and bytes); sanitizer builds allocate afresh so
// that use-after-free stays detectable.

#include <cstddef>
#include <memory>

namespace rnnkit::detail {

/// 64-byte aligned memory, returned to the pool when the last handle goes.
using PooledMemory = std::shared_ptr<void>;

/// At least `bytes` bytes: an idle block of up to twice that size, or a fresh one. Throws
/// std::bad_alloc when memory runs out. (runtime.h reports and releases the idle blocks.)
PooledMemory acquire_memory(std::size_t bytes);

}  // namespace rnnkit::detail
