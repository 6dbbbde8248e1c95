#include "kernels/onednn/runtime.h"

#include <fmt/format.h>

#include <list>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "kernels/threads.h"
#include "rnnkit/framework/runtime.h"

namespace rnnkit {
namespace kernels::onednn {
namespace {

class PrimitiveCache {
 public:
  std::shared_ptr<const CachedPrimitive> get(const std::string& key,
                                             const std::function<CachedPrimitive()>& create) {
    std::lock_guard lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) {
      ++stats_.hits;
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    ++stats_.misses;
    auto entry = std::make_shared<const CachedPrimitive>(create());
    order_.emplace_front(key, entry);
    index_[key] = order_.begin();
    evict_to(stats_.capacity);
    return entry;
  }

  PrimitiveCacheStats stats() {
    std::lock_guard lock(mutex_);
    PrimitiveCacheStats s = stats_;
    s.size = order_.size();
    return s;
  }

  void set_capacity(std::size_t capacity) {
    std::lock_guard lock(mutex_);
    stats_.capacity = capacity;
    evict_to(capacity);
  }

  void clear() {
    std::lock_guard lock(mutex_);
    order_.clear();
    index_.clear();
    stats_ = PrimitiveCacheStats{.capacity = stats_.capacity};
  }

 private:
  void evict_to(std::size_t capacity) {
    while (order_.size() > capacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++stats_.evictions;
    }
  }

  using Entry = std::pair<std::string, std::shared_ptr<const CachedPrimitive>>;
  std::mutex mutex_;
  std::list<Entry> order_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  PrimitiveCacheStats stats_{.capacity = 1024};
};

PrimitiveCache& cache() {
  static PrimitiveCache instance;
  return instance;
}

// Grows, never shrinks: after warm-up a training step allocates no scratch memory.
class ScratchArena {
 public:
  void* reserve(std::size_t bytes) {
    if (bytes > buffer_.size()) buffer_.assign(bytes + 63, std::byte{});
    auto address = reinterpret_cast<std::uintptr_t>(buffer_.data());
    return reinterpret_cast<void*>((address + 63) & ~std::uintptr_t{63});
  }

 private:
  std::vector<std::byte> buffer_;
};

}  // namespace

dnnl::engine& engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

dnnl::stream& stream() {
  thread_local dnnl::stream instance(engine());
  return instance;
}

dnnl::primitive_attr default_attributes() {
  dnnl::primitive_attr attributes;
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attributes;
}

std::shared_ptr<const CachedPrimitive> cached_primitive(
    const std::string& key, const std::function<CachedPrimitive()>& create) {
  // oneDNN sizes some kernels' thread partition when it creates them: the team is part of the
  // key, and in force while the primitive is created.
  const int threads = kernels::unchosen_team();
  try {
    return cache().get(fmt::format("{}@{}threads", key, threads), [&] {
      std::optional<CachedPrimitive> created;
      kernels::run_on_team(threads, [&] { created = create(); });
      created->threads = threads;
      return *std::move(created);
    });
  } catch (const dnnl::error& error) {
    rethrow(key, error);
  }
}

void execute(std::string_view op, const CachedPrimitive& primitive,
             std::unordered_map<int, dnnl::memory> arguments) {
  thread_local ScratchArena arena;
  try {
    const auto scratch_desc = primitive.descriptor.scratchpad_desc();
    if (scratch_desc.get_size() > 0) {
      arguments.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratch_desc, engine(),
                                                          arena.reserve(scratch_desc.get_size())));
    }
    kernels::run_on_team(primitive.threads, [&] {
      primitive.primitive.execute(stream(), arguments);
      stream().wait();
    });
  } catch (const dnnl::error& error) {
    rethrow(op, error);
  }
}

dnnl::memory wrap(const dnnl::memory::desc& desc, const void* data) {
  return dnnl::memory(desc, engine(), const_cast<void*>(data));
}

dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims, dnnl::memory::data_type type) {
  dnnl::memory::dims strides(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) {
    strides[static_cast<std::size_t>(i)] =
        strides[static_cast<std::size_t>(i) + 1] * dims[static_cast<std::size_t>(i) + 1];
  }
  return dnnl::memory::desc(dims, type, strides);
}

void rethrow(std::string_view op, const dnnl::error& error) {
  throw std::runtime_error(
      fmt::format("{}: oneDNN error {} ({})", op, static_cast<int>(error.status), error.what()));
}

}  // namespace kernels::onednn

PrimitiveCacheStats primitive_cache_stats() { return kernels::onednn::cache().stats(); }

void set_primitive_cache_capacity(std::size_t capacity) {
  if (capacity == 0) {
    throw std::invalid_argument("set_primitive_cache_capacity: capacity must be at least 1, got 0");
  }
  kernels::onednn::cache().set_capacity(capacity);
}

void clear_primitive_cache() { kernels::onednn::cache().clear(); }

}  // namespace rnnkit
