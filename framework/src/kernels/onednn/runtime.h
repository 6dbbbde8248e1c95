#pragma once

// The one place that owns oneDNN's engine, the per-thread streams and scratchpads, and the
// bounded primitive cache. Every primitive is created with scratchpad_mode::user so that its
// scratch memory is this thread's arena, which is what makes two models in two threads safe.

#include <functional>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rnnkit::kernels::onednn {

dnnl::engine& engine();
/// This thread's stream.
dnnl::stream& stream();

/// A primitive with the descriptor it was made from (for layout and size queries), and the
/// OpenMP team it was made for and runs on.
struct CachedPrimitive {
  dnnl::primitive primitive;
  dnnl::primitive_desc_base descriptor;
  int threads = 1;
};

/// Attributes every rnnkit primitive is created with.
dnnl::primitive_attr default_attributes();

/// The primitive cached under `key` and the team of kernels::unchosen_team(), created by
/// `create` on a miss with that team in force. `key` must name the kind, shapes, data types,
/// layouts and attributes: everything else the primitive depends on.
std::shared_ptr<const CachedPrimitive> cached_primitive(
    const std::string& key, const std::function<CachedPrimitive()>& create);

/// Runs `primitive` on this thread's stream with this thread's scratchpad and the team it was
/// created for, and waits; a dnnl::error is re-thrown as std::runtime_error naming `op`.
void execute(std::string_view op, const CachedPrimitive& primitive,
             std::unordered_map<int, dnnl::memory> arguments);

/// Wraps caller-owned memory (no copy).
dnnl::memory wrap(const dnnl::memory::desc& desc, const void* data);

/// Plain row-major descriptor for dims.
dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims, dnnl::memory::data_type type);

/// Re-throws a dnnl::error as std::runtime_error with context.
[[noreturn]] void rethrow(std::string_view op, const dnnl::error& error);

}  // namespace rnnkit::kernels::onednn
