#pragma once

// oneDNN's vanilla_rnn primitive (one layer, left to right) on Keras's layouts: x and the
// sequence are ntc, kernel and recurrent_kernel ldigo, bias ldgo, states ldnc. The primitives
// pick their own weight layouts; weights are reordered only when a layout differs from ldigo,
// and the reordered copy is cached by (weight storage, version).

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

/// The forward operands; a null bias means a zero bias.
struct VanillaRnnInputs {
  const float* x = nullptr;
  const float* h0 = nullptr;
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

/// Memory from a process-wide pool, returned to it when the last handle goes.
using PooledBuffer = std::shared_ptr<void>;

/// Runs the recurrence into sequence [B, T, U] and last_state [B, U]. In training mode the
/// returned workspace is what vanilla_rnn_backward needs; otherwise it is null.
PooledBuffer vanilla_rnn_forward(const VanillaRnnProblem& problem, bool training,
                                 const VanillaRnnInputs& inputs, float* sequence,
                                 float* last_state);

/// The whole backprop-through-time in one call, from the forward's operands, outputs and
/// workspace and the gradients of both outputs.
void vanilla_rnn_backward(const VanillaRnnProblem& problem, const VanillaRnnInputs& inputs,
                          const float* sequence, const float* last_state, const void* workspace,
                          const float* diff_sequence, const float* diff_last_state,
                          const VanillaRnnGradients& gradients);

/// Weight reorders performed so far in this process (cache misses of the reorder cache).
std::uint64_t weight_reorder_count();

}  // namespace rnnkit::kernels::onednn
