#pragma once

#include <string_view>

#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// What stepped_simple_rnn honours besides the recurrence itself (spec §2.5, §1.4).
struct SteppedRnnOptions {
  /// [B, T] bool in time order, or undefined: every step is real.
  Tensor mask = {};
  /// [B, U] multiplying h_{t-1} before the recurrent matmul (recurrent dropout; a constant that
  /// receives no gradient), or undefined.
  Tensor recurrent_mask = {};
  bool go_backwards = false;
  bool zero_output_for_mask = false;
  bool with_sequence = false;  ///< also return the output of every step
};

/// Outputs of stepped_simple_rnn.
struct SteppedRnnOutputs {
  Tensor sequence;     ///< [B, T, U], the output after each step in processing order (undefined
                       ///< unless with_sequence)
  Tensor last_output;  ///< [B, U]
  Tensor last_state;   ///< [B, U] (differs from last_output once a masked step held it)
};

/// True when stepped_simple_rnn can run this configuration: float32 or float64 and one of the
/// activations "tanh", "relu", "sigmoid".
bool stepped_rnn_supports(std::string_view activation, DType dtype);

/// The SimpleRNN recurrence h_t = act(projected_t + (h_{t-1} * recurrent_mask) . recurrent_kernel)
/// one timestep at a time, with Keras's masking (a masked step keeps the previous state and
/// outputs the previous output, or zeros with zero_output_for_mask), as ONE autograd node.
/// `projected` [B, T, U] is x . kernel + bias for every step at once (one large GEMM outside),
/// h0 [B, U], recurrent_kernel [U, U]. Each step is one matmul with the add and the activation
/// fused in (float32: a oneDNN matmul with post-ops; float64: Eigen); backward is one small
/// matmul per step plus one GEMM over all steps for the recurrent kernel's gradient. This is the
/// path for masks with holes and for recurrent dropout, which oneDNN's RNN primitive cannot do.
SteppedRnnOutputs stepped_simple_rnn(const Tensor& projected, const Tensor& h0,
                                     const Tensor& recurrent_kernel, std::string_view activation,
                                     const SteppedRnnOptions& options = {});

}  // namespace rnnkit
