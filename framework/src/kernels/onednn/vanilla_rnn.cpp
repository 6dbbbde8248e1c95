#include "kernels/onednn/vanilla_rnn.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/onednn/runtime.h"
#include "kernels/threads.h"
#include "memory_pool.h"

namespace rnnkit::kernels::onednn {
namespace {

using dnnl::prop_kind;
using md = dnnl::memory::desc;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr auto direction = dnnl::rnn_direction::unidirectional_left2right;

// Workspaces, scratch gradients and reordered weights come from the memory pool: a fresh 40 MB
// workspace mapped and page-faulted on every step costs about half as much as the RNN itself.
PooledBuffer acquire(std::size_t bytes) { return rnnkit::detail::acquire_memory(bytes); }

void reorder(const std::string& key, const md& from, const void* source, const md& to,
             void* destination) {
  auto primitive = cached_primitive(key, [&] {
    dnnl::reorder::primitive_desc pd(engine(), from, engine(), to, default_attributes());
    return CachedPrimitive{dnnl::reorder(pd), pd};
  });
  execute("fused_simple_rnn reorder", *primitive,
          {{DNNL_ARG_FROM, wrap(from, source)}, {DNNL_ARG_TO, wrap(to, destination)}});
}

bool same_owner(const std::weak_ptr<const void>& a, const std::weak_ptr<const void>& b) {
  return !a.owner_before(b) && !b.owner_before(a);
}

// Reordered copies of weights, one per (weight storage, layout), refreshed only when the
// weights' version moved on.
class WeightCache {
 public:
  PooledBuffer get(const WeightSource& weights, const md& plain, const md& layout,
                   const std::string& reorder_key) {
    std::lock_guard lock(mutex_);
    auto entry = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
      return e.data == weights.data && !e.owner.expired() && same_owner(e.owner, weights.owner) &&
             e.layout == layout;
    });
    if (entry != entries_.end() && entry->version == weights.version) return entry->buffer;
    // A copy some caller still executes with must not be overwritten.
    PooledBuffer buffer = entry != entries_.end() && entry->buffer.use_count() == 1
                              ? entry->buffer
                              : acquire(layout.get_size());
    reorder(reorder_key, plain, weights.data, layout, buffer.get());
    ++reorders_;
    if (entry != entries_.end()) {
      entry->buffer = buffer;
      entry->version = weights.version;
      return buffer;
    }
    std::erase_if(entries_, [](const Entry& e) { return e.owner.expired(); });
    entries_.push_back({weights.data, weights.owner, layout, weights.version, buffer});
    return buffer;
  }

  std::uint64_t reorders() const { return reorders_; }

 private:
  struct Entry {
    const float* data;
    std::weak_ptr<const void> owner;
    md layout;
    std::uint64_t version;
    PooledBuffer buffer;
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
  std::atomic<std::uint64_t> reorders_{0};
};

WeightCache& weight_cache() {
  static WeightCache instance;
  return instance;
}

// Keras's layouts, which are oneDNN's plain ones, and the time-major ones the primitive runs on.
struct Layouts {
  explicit Layouts(const VanillaRnnProblem& p)
      : x({p.time, p.batch, p.input}, dt::f32, tag::ntc),
        x_time_major({p.time, p.batch, p.input}, dt::f32, tag::tnc),
        state({1, 1, p.batch, p.units}, dt::f32, tag::ldnc),
        kernel({1, 1, p.input, 1, p.units}, dt::f32, tag::ldigo),
        recurrent_kernel({1, 1, p.units, 1, p.units}, dt::f32, tag::ldigo),
        bias({1, 1, 1, p.units}, dt::f32, tag::ldgo),
        sequence({p.time, p.batch, p.units}, dt::f32, tag::ntc),
        sequence_time_major({p.time, p.batch, p.units}, dt::f32, tag::tnc),
        any_kernel(kernel.dims(), dt::f32, tag::any),
        any_recurrent_kernel(recurrent_kernel.dims(), dt::f32, tag::any) {}
  md x, x_time_major, state, kernel, recurrent_kernel, bias, sequence, sequence_time_major,
      any_kernel, any_recurrent_kernel;
};

std::string problem_key(std::string_view kind, const VanillaRnnProblem& p) {
  return fmt::format("{}:{}:{}x{}x{}x{}", kind, static_cast<int>(p.activation), p.batch, p.time,
                     p.input, p.units);
}

std::string transpose_key(std::string_view which, const md& desc) {
  const auto dims = desc.dims();
  return fmt::format("vanilla_rnn_transpose:{}:{}x{}x{}", which, dims[0], dims[1], dims[2]);
}

dnnl::vanilla_rnn_forward::primitive_desc forward_pd(const VanillaRnnProblem& p,
                                                     prop_kind propagation) {
  const Layouts l(p);
  dnnl::vanilla_rnn_forward::desc desc(propagation, p.activation, direction, l.x_time_major,
                                       l.state, l.any_kernel, l.any_recurrent_kernel, l.bias,
                                       l.sequence_time_major, l.state);
  return {desc, default_attributes(), engine()};
}

// The weights as a primitive wants them, held for one execution: the caller's own buffer when
// the layout is plain ldigo, otherwise the cached reorder.
struct BoundWeights {
  dnnl::memory memory;
  PooledBuffer hold;
};

BoundWeights bind_weights(const WeightSource& weights, const md& plain, const md& layout,
                          const std::string& reorder_key) {
  if (layout == plain) return {wrap(plain, weights.data), nullptr};
  PooledBuffer buffer = weight_cache().get(weights, plain, layout, reorder_key);
  return {wrap(layout, buffer.get()), buffer};
}

// At least `bytes` of zeros that nobody writes (read-only inputs of a primitive): one shared
// buffer, replaced by a larger one when a caller needs more.
PooledBuffer zeros(std::size_t bytes) {
  static std::mutex mutex;
  static PooledBuffer shared;
  static std::size_t size = 0;
  std::lock_guard lock(mutex);
  if (bytes > size) {
    shared = acquire(bytes);
    std::memset(shared.get(), 0, bytes);
    size = bytes;
  }
  return shared;
}

// oneDNN writes every gradient; those the caller does not want go to pooled scratch memory.
class GradientTargets {
 public:
  void* resolve(void* wanted, std::size_t bytes) {
    if (wanted != nullptr) return wanted;
    held_.push_back(acquire(bytes));
    return held_.back().get();
  }

 private:
  std::vector<PooledBuffer> held_;
};

}  // namespace

VanillaRnnState vanilla_rnn_forward(const VanillaRnnProblem& problem, bool training, const float* x,
                                    const float* h0, const VanillaRnnWeights& weights,
                                    float* sequence, float* last_state) {
  const auto key =
      problem_key(training ? "vanilla_rnn_fwd_training" : "vanilla_rnn_fwd_inference", problem);
  const Layouts l(problem);
  VanillaRnnState state{.workspace = nullptr,
                        .x = acquire(l.x_time_major.get_size()),
                        .sequence = acquire(l.sequence_time_major.get_size())};
  // The primitive is made, and the transposes around it run, on the thread count chosen for it.
  run_with_chosen_threads(key, [&] {
    auto primitive = cached_primitive(key, [&] {
      auto pd = forward_pd(problem,
                           training ? prop_kind::forward_training : prop_kind::forward_inference);
      return CachedPrimitive{dnnl::vanilla_rnn_forward(pd), pd};
    });
    const auto& pd = primitive->descriptor;
    const auto kernel =
        bind_weights(weights.kernel, l.kernel, pd.weights_desc(0), key + ":weights_layer");
    const auto recurrent_kernel = bind_weights(weights.recurrent_kernel, l.recurrent_kernel,
                                               pd.weights_desc(1), key + ":weights_iter");
    const PooledBuffer zero_bias = weights.bias ? nullptr : zeros(l.bias.get_size());
    std::unordered_map<int, dnnl::memory> arguments{
        {DNNL_ARG_SRC_LAYER, wrap(l.x_time_major, state.x.get())},
        {DNNL_ARG_SRC_ITER, wrap(l.state, h0)},
        {DNNL_ARG_WEIGHTS_LAYER, kernel.memory},
        {DNNL_ARG_WEIGHTS_ITER, recurrent_kernel.memory},
        {DNNL_ARG_BIAS, wrap(l.bias, weights.bias ? weights.bias : zero_bias.get())},
        {DNNL_ARG_DST_LAYER, wrap(l.sequence_time_major, state.sequence.get())},
        {DNNL_ARG_DST_ITER, wrap(l.state, last_state)}};
    if (training) {
      const md workspace_desc = pd.workspace_desc();
      state.workspace = acquire(workspace_desc.get_size());
      arguments.emplace(DNNL_ARG_WORKSPACE, wrap(workspace_desc, state.workspace.get()));
    }
    reorder(transpose_key("ntc_to_tnc", l.x), l.x, x, l.x_time_major, state.x.get());
    execute("fused_simple_rnn", *primitive, std::move(arguments));
    if (sequence != nullptr) {
      reorder(transpose_key("tnc_to_ntc", l.sequence), l.sequence_time_major, state.sequence.get(),
              l.sequence, sequence);
    }
  });
  if (!training) return {};
  return state;
}

void vanilla_rnn_backward(const VanillaRnnProblem& problem, const VanillaRnnState& state,
                          const float* h0, const VanillaRnnWeights& weights,
                          const float* last_state, const float* diff_sequence,
                          const float* diff_last_state, const VanillaRnnGradients& gradients) {
  const auto key = problem_key("vanilla_rnn_bwd", problem);
  const Layouts l(problem);
  // The primitive is made and runs on the thread count chosen for it.
  run_with_chosen_threads(key, [&] {
    auto primitive = cached_primitive(key, [&] {
      dnnl::vanilla_rnn_backward::desc desc(
          prop_kind::backward, problem.activation, direction, l.x_time_major, l.state, l.any_kernel,
          l.any_recurrent_kernel, l.bias, l.sequence_time_major, l.state, l.x, l.state,
          l.any_kernel, l.any_recurrent_kernel, l.bias, l.sequence, l.state);
      dnnl::vanilla_rnn_backward::primitive_desc pd(
          desc, default_attributes(), engine(), forward_pd(problem, prop_kind::forward_training));
      return CachedPrimitive{dnnl::vanilla_rnn_backward(pd), pd};
    });
    const auto& pd = primitive->descriptor;
    const auto kernel =
        bind_weights(weights.kernel, l.kernel, pd.weights_desc(0), key + ":weights_layer");
    const auto recurrent_kernel = bind_weights(weights.recurrent_kernel, l.recurrent_kernel,
                                               pd.weights_desc(1), key + ":weights_iter");
    const PooledBuffer zero_bias = weights.bias ? nullptr : zeros(l.bias.get_size());
    const PooledBuffer zero_diff_sequence = diff_sequence ? nullptr : zeros(l.sequence.get_size());

    GradientTargets targets;
    // oneDNN 2.6's backward adds into diff weights and diff bias, so they must start at zero.
    // Diff weights in a layout other than ldigo are computed in scratch and reordered after.
    struct DiffWeights {
      md layout;
      void* data;
      bool reorder_after;
    };
    const auto diff_weights = [&](float* wanted, const md& plain, int index) {
      const md layout = pd.diff_weights_desc(index);
      const bool plain_layout = layout == plain;
      void* data = targets.resolve(plain_layout ? wanted : nullptr, layout.get_size());
      std::memset(data, 0, layout.get_size());
      return DiffWeights{layout, data, !plain_layout && wanted != nullptr};
    };
    const DiffWeights diff_kernel = diff_weights(gradients.kernel, l.kernel, 0);
    const DiffWeights diff_recurrent_kernel =
        diff_weights(gradients.recurrent_kernel, l.recurrent_kernel, 1);
    void* diff_bias = targets.resolve(gradients.bias, l.bias.get_size());
    std::memset(diff_bias, 0, l.bias.get_size());

    execute(
        "fused_simple_rnn backward", *primitive,
        {{DNNL_ARG_SRC_LAYER, wrap(l.x_time_major, state.x.get())},
         {DNNL_ARG_SRC_ITER, wrap(l.state, h0)},
         {DNNL_ARG_WEIGHTS_LAYER, kernel.memory},
         {DNNL_ARG_WEIGHTS_ITER, recurrent_kernel.memory},
         {DNNL_ARG_BIAS, wrap(l.bias, weights.bias ? weights.bias : zero_bias.get())},
         {DNNL_ARG_DST_LAYER, wrap(l.sequence_time_major, state.sequence.get())},
         {DNNL_ARG_DST_ITER, wrap(l.state, last_state)},
         {DNNL_ARG_WORKSPACE, wrap(pd.workspace_desc(), state.workspace.get())},
         {DNNL_ARG_DIFF_DST_LAYER,
          wrap(l.sequence, diff_sequence ? diff_sequence : zero_diff_sequence.get())},
         {DNNL_ARG_DIFF_DST_ITER, wrap(l.state, diff_last_state)},
         {DNNL_ARG_DIFF_SRC_LAYER, wrap(l.x, targets.resolve(gradients.x, l.x.get_size()))},
         {DNNL_ARG_DIFF_SRC_ITER, wrap(l.state, targets.resolve(gradients.h0, l.state.get_size()))},
         {DNNL_ARG_DIFF_WEIGHTS_LAYER, wrap(diff_kernel.layout, diff_kernel.data)},
         {DNNL_ARG_DIFF_WEIGHTS_ITER,
          wrap(diff_recurrent_kernel.layout, diff_recurrent_kernel.data)},
         {DNNL_ARG_DIFF_BIAS, wrap(l.bias, diff_bias)}});
    if (diff_kernel.reorder_after) {
      reorder(key + ":diff_weights_layer", diff_kernel.layout, diff_kernel.data, l.kernel,
              gradients.kernel);
    }
    if (diff_recurrent_kernel.reorder_after) {
      reorder(key + ":diff_weights_iter", diff_recurrent_kernel.layout, diff_recurrent_kernel.data,
              l.recurrent_kernel, gradients.recurrent_kernel);
    }
  });
}

std::uint64_t weight_reorder_count() { return weight_cache().reorders(); }

}  // namespace rnnkit::kernels::onednn
