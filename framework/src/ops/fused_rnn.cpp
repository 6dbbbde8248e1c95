// The fused SimpleRNN: one autograd node over oneDNN's vanilla_rnn primitive, forward and
// backward (the whole backprop-through-time in one call) side by side.

#include "rnnkit/framework/fused_rnn.h"

#include <array>
#include <optional>

#include "kernels/onednn/vanilla_rnn.h"
#include "rnnkit/framework/autograd.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

namespace dnn = kernels::onednn;

constexpr std::string_view op_name = "fused_simple_rnn";

// Keras's "sigmoid" is oneDNN's logistic; relu has slope 0 (the primitive's alpha).
std::optional<dnnl::algorithm> primitive_activation(std::string_view activation) {
  if (activation == "tanh") return dnnl::algorithm::eltwise_tanh;
  if (activation == "relu") return dnnl::algorithm::eltwise_relu;
  if (activation == "sigmoid") return dnnl::algorithm::eltwise_logistic;
  return std::nullopt;
}

void require_f32(const Tensor& tensor, std::string_view argument) {
  detail::require_defined(op_name, tensor, argument);
  if (tensor.dtype() != DType::f32) {
    throw std::invalid_argument(
        fmt::format("{}: argument '{}' must be float32 (the fused path is float32 only; see "
                    "fused_rnn_supports), got {}",
                    op_name, argument, dtype_name(tensor.dtype())));
  }
}

// Checks every argument and returns the problem they describe, before anything is computed.
dnn::VanillaRnnProblem validate(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                                const Tensor& recurrent_kernel, const Tensor& bias,
                                std::string_view activation) {
  const auto algorithm = primitive_activation(activation);
  if (!algorithm) {
    throw std::invalid_argument(
        fmt::format("{}: activation must be one of \"tanh\", \"relu\", \"sigmoid\", got \"{}\"",
                    op_name, activation));
  }
  require_f32(x, "x");
  require_f32(h0, "h0");
  require_f32(kernel, "kernel");
  require_f32(recurrent_kernel, "recurrent_kernel");
  if (bias.defined()) require_f32(bias, "bias");
  if (x.dim() != 3 || x.size(0) < 1 || x.size(1) < 1 || x.size(2) < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'x' must be [batch, timesteps, features] with every dimension >= 1, got "
        "shape {}",
        op_name, shape_str(x.shape())));
  }
  if (kernel.dim() != 2 || kernel.size(1) < 1) {
    throw std::invalid_argument(
        fmt::format("{}: argument 'kernel' must be [features, units] with units >= 1, got shape {}",
                    op_name, shape_str(kernel.shape())));
  }
  const dnn::VanillaRnnProblem problem{.batch = x.size(0),
                                       .time = x.size(1),
                                       .input = x.size(2),
                                       .units = kernel.size(1),
                                       .activation = *algorithm};
  detail::require_shape(op_name, kernel, "kernel", "[features, units]",
                        {problem.input, problem.units});
  detail::require_shape(op_name, recurrent_kernel, "recurrent_kernel", "[units, units]",
                        {problem.units, problem.units});
  if (bias.defined()) detail::require_shape(op_name, bias, "bias", "[units]", {problem.units});
  detail::require_shape(op_name, h0, "h0", "[batch, units]", {problem.batch, problem.units});
  return problem;
}

dnn::WeightSource weight_source(const Tensor& weights) {
  return {.data = weights.data<float>(),
          .owner = weights.impl()->storage,
          .version = weights.version()};
}

dnn::VanillaRnnWeights rnn_weights(const Tensor& kernel, const Tensor& recurrent_kernel,
                                   const Tensor& bias) {
  return {.kernel = weight_source(kernel),
          .recurrent_kernel = weight_source(recurrent_kernel),
          .bias = bias.defined() ? bias.data<float>() : nullptr};
}

// A gradient tensor of `shape` when `wanted`, else undefined.
Tensor gradient_for(Shape shape, bool wanted) {
  return wanted ? Tensor::empty(std::move(shape), DType::f32) : Tensor();
}

float* mutable_or_null(Tensor& tensor) {
  return tensor.defined() ? tensor.mutable_data<float>() : nullptr;
}

}  // namespace

bool fused_rnn_supports(std::string_view activation, DType dtype) {
  return dtype == DType::f32 && primitive_activation(activation).has_value();
}

FusedRnnOutputs fused_simple_rnn(const Tensor& x, const Tensor& h0, const Tensor& kernel,
                                 const Tensor& recurrent_kernel, const Tensor& bias,
                                 std::string_view activation, bool with_sequence) {
  const auto problem = validate(x, h0, kernel, recurrent_kernel, bias, activation);
  Tensor sequence =
      with_sequence ? Tensor::empty({problem.batch, problem.time, problem.units}) : Tensor();
  Tensor last_state = Tensor::empty({problem.batch, problem.units});
  const bool training = needs_grad({&x, &h0, &kernel, &recurrent_kernel, &bias});
  const dnn::VanillaRnnState state =
      dnn::vanilla_rnn_forward(problem, training, x.data<float>(), h0.data<float>(),
                               rnn_weights(kernel, recurrent_kernel, bias),
                               mutable_or_null(sequence), last_state.mutable_data<float>());
  if (!training) return {sequence, last_state};

  const std::array<bool, 5> wanted{x.requires_grad(), h0.requires_grad(), kernel.requires_grad(),
                                   recurrent_kernel.requires_grad(),
                                   bias.defined() && bias.requires_grad()};
  // x and the sequence themselves are not needed: the state holds the time-major copies the
  // primitive ran on.
  const SavedTensor saved_h0(h0), saved_kernel(kernel), saved_recurrent_kernel(recurrent_kernel),
      saved_bias(bias), saved_last_state(last_state);
  std::vector<Tensor> outputs =
      with_sequence ? std::vector<Tensor>{sequence, last_state} : std::vector<Tensor>{last_state};
  outputs =
      record(op_name, {x, h0, kernel, recurrent_kernel, bias}, outputs,
             [=](const std::vector<Tensor>& g) -> std::vector<Tensor> {
               // Without the sequence output its gradient is zero: g holds the last state's alone.
               const float* diff_sequence = with_sequence ? g[0].data<float>() : nullptr;
               const float* diff_last_state = g.back().data<float>();
               const Tensor& h0_value = saved_h0.get(op_name);
               const Tensor& kernel_value = saved_kernel.get(op_name);
               const Tensor& recurrent_kernel_value = saved_recurrent_kernel.get(op_name);
               const Tensor& bias_value = saved_bias.get(op_name);
               std::vector<Tensor> grads{
                   gradient_for({problem.batch, problem.time, problem.input}, wanted[0]),
                   gradient_for({problem.batch, problem.units}, wanted[1]),
                   gradient_for({problem.input, problem.units}, wanted[2]),
                   gradient_for({problem.units, problem.units}, wanted[3]),
                   gradient_for({problem.units}, wanted[4])};
               dnn::vanilla_rnn_backward(
                   problem, state, h0_value.data<float>(),
                   rnn_weights(kernel_value, recurrent_kernel_value, bias_value),
                   saved_last_state.get(op_name).data<float>(), diff_sequence, diff_last_state,
                   {.x = mutable_or_null(grads[0]),
                    .h0 = mutable_or_null(grads[1]),
                    .kernel = mutable_or_null(grads[2]),
                    .recurrent_kernel = mutable_or_null(grads[3]),
                    .bias = mutable_or_null(grads[4])});
               return grads;
             });
  if (!with_sequence) return {Tensor(), outputs[0]};
  return {outputs[0], outputs[1]};
}

}  // namespace rnnkit
