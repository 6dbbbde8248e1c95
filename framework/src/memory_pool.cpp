#include "memory_pool.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>

#include "rnnkit/framework/runtime.h"

namespace rnnkit::detail {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool recycle = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool recycle = false;
#else
constexpr bool recycle = true;
#endif
#else
constexpr bool recycle = true;
#endif

constexpr std::size_t alignment = 64;
constexpr std::size_t max_idle_blocks = 4096;
constexpr std::size_t max_idle_bytes = std::size_t{1} << 30;

struct Free {
  void operator()(void* data) const { std::free(data); }
};
using Block = std::unique_ptr<void, Free>;

class MemoryPool : public std::enable_shared_from_this<MemoryPool> {
 public:
  PooledMemory acquire(std::size_t bytes) {
    bytes = std::max((bytes + alignment - 1) / alignment * alignment, alignment);
    Block block;
    {
      std::lock_guard lock(mutex_);
      if (auto it = idle_.lower_bound(bytes); it != idle_.end() && it->first <= 2 * bytes) {
        bytes = it->first;
        block = std::move(it->second);
        idle_bytes_ -= bytes;
        idle_.erase(it);
      }
    }
    if (!block) {
      block.reset(std::aligned_alloc(alignment, bytes));
      if (!block) throw std::bad_alloc();
    }
    void* data = block.release();
    if (!recycle) return PooledMemory(data, Free{});
    return PooledMemory(data, [pool = shared_from_this(), bytes](void* released) {
      pool->give_back(Block(released), bytes);
    });
  }

  void clear() {
    std::lock_guard lock(mutex_);
    idle_.clear();
    idle_bytes_ = 0;
  }

  std::size_t idle_bytes() {
    std::lock_guard lock(mutex_);
    return idle_bytes_;
  }

 private:
  void give_back(Block block, std::size_t bytes) {
    if (bytes > max_idle_bytes) return;
    std::lock_guard lock(mutex_);
    // Make room by dropping the largest idle blocks first, then the smallest.
    while (!idle_.empty() && idle_bytes_ + bytes > max_idle_bytes) {
      idle_bytes_ -= std::prev(idle_.end())->first;
      idle_.erase(std::prev(idle_.end()));
    }
    if (idle_.size() == max_idle_blocks) {
      idle_bytes_ -= idle_.begin()->first;
      idle_.erase(idle_.begin());
    }
    idle_.emplace(bytes, std::move(block));
    idle_bytes_ += bytes;
  }

  std::mutex mutex_;
  std::multimap<std::size_t, Block> idle_;
  std::size_t idle_bytes_ = 0;
};

// Every handle keeps the pool alive, so memory freed during static destruction still has a
// pool to go back to.
MemoryPool& pool() {
  static const auto instance = std::make_shared<MemoryPool>();
  return *instance;
}

}  // namespace

PooledMemory acquire_memory(std::size_t bytes) { return pool().acquire(bytes); }

}  // namespace rnnkit::detail

namespace rnnkit {

void release_cached_memory() { detail::pool().clear(); }

std::size_t cached_memory_bytes() { return detail::pool().idle_bytes(); }

}  // namespace rnnkit
