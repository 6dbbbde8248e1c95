#pragma once

// oneDNN's vanilla_rnn primitive (one layer, left to right) on Keras's layouts: kernel and
// recurrent_kernel are ldigo, bias ldgo, states ldnc, x and the sequence batch-major (ntc). The
// primitive runs time-major (tnc) inside: x is transposed in and the sequence out, because
// oneDNN 2.6 is 20-30% slower on a batch-major dst_layer, far more than the two transposes cost.
// The gradients of x and of the sequence stay batch-major (free for oneDNN). The primitives pick
// their own weight layouts; weights are reordered only when a layout differs from ldigo, and the
// reordered copy is cached by (weight storage, version).

#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>

namespace rnnkit::kernels::onednn {

/// Sizes and activation of one vanilla RNN run: x [batch, time, input], units hidden units.
struct VanillaRnnProblem {
  std::int64_t batch = 0;
  std::int64_t time = 0;
  std::int64_t input = 0;
  std::int64_t units = 0;
  dnnl::algorithm activation = dnnl::algorithm::eltwise_tanh;
};

/// A weight matrix in ldigo, as the reorder cache identifies it: `owner` shares its storage's
/// lifetime and `version` is bumped by every in-place write.
struct WeightSource {
  const float* data = nullptr;
  std::weak_ptr<const void> owner;
  std::uint64_t version = 0;
};

/// The weights; a null bias means a zero bias.
struct VanillaRnnWeights {
  WeightSource kernel;
  WeightSource recurrent_kernel;
  const float* bias = nullptr;
};

/// Where backward writes each gradient (plain layouts, overwritten); null: not wanted.
struct VanillaRnnGradients {
  float* x = nullptr;
  float* h0 = nullptr;
  float* kernel = nullptr;
  float* recurrent_kernel = nullptr;
  float* bias = nullptr;
};

/// Memory from the process-wide pool (memory_pool.h), returned to it when the last handle goes.
using PooledBuffer = std::shared_ptr<void>;

/// What forward training leaves for backward: the workspace and the time-major copies of x and
/// of the sequence that the primitive ran on.
struct VanillaRnnState {
  PooledBuffer workspace;
  PooledBuffer x;
  PooledBuffer sequence;
};

/// Runs the recurrence over x [B, T, F] into sequence [B, T, U] (null: not wanted) and
/// last_state [B, U]. In training mode the result is what vanilla_rnn_backward needs; otherwise
/// it is empty.
VanillaRnnState vanilla_rnn_forward(const VanillaRnnProblem& problem, bool training, const float* x,
                                    const float* h0, const VanillaRnnWeights& weights,
                                    float* sequence, float* last_state);

/// The whole backprop-through-time in one call, from the forward's state and operands and the
/// gradients of both outputs (diff_sequence [B, T, U], null when it is zero, and
/// diff_last_state [B, U]).
void vanilla_rnn_backward(const VanillaRnnProblem& problem, const VanillaRnnState& state,
                          const float* h0, const VanillaRnnWeights& weights,
                          const float* last_state, const float* diff_sequence,
                          const float* diff_last_state, const VanillaRnnGradients& gradients);

/// Weight reorders performed so far in this process (cache misses of the reorder cache).
std::uint64_t weight_reorder_count();

}  // namespace rnnkit::kernels::onednn
