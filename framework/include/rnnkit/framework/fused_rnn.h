#pragma once

#include <string_view>

#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// Outputs of fused_simple_rnn.
struct FusedRnnOutputs {
  Tensor sequence;    ///< [B, T, U], output after each step, in processing order (undefined
                      ///< when not asked for)
  Tensor last_state;  ///< [B, U], the state after the last step
};

/// True when fused_simple_rnn can run this configuration: float32 and an activation oneDNN's
/// vanilla RNN has ("tanh", "relu", "sigmoid").
bool fused_rnn_supports(std::string_view activation, DType dtype);

/// The whole SimpleRNN recurrence h_t = act(x_t . kernel + bias + h_{t-1} . recurrent_kernel),
/// t = 0..T-1, as ONE autograd node on oneDNN's vanilla_rnn primitive (forward_training, and
/// backward = the whole backprop-through-time in one call). x [B, T, F], h0 [B, U],
/// kernel [F, U], recurrent_kernel [U, U], bias [U] or undefined (no bias). Keras's weight layouts
/// are oneDNN's (ldigo, ldgo), so weights are used in place unless a primitive prefers another
/// layout (then the reorder is cached per weight version); x and the sequence are transposed to
/// time-major around the primitive, which oneDNN 2.6 runs much faster than batch-major. Without
/// `with_sequence` only the last state is returned, which saves transposing the whole sequence
/// out and a zero gradient for it back in.
FusedRnnOutputs fused_simple_rnn(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                                 const Tensor& recurrent_kernel, const Tensor& bias,
                                 std::string_view activation, bool with_sequence = true);

}  // namespace rnnkit
