// The step-by-step SimpleRNN: one autograd node whose forward runs one fused matmul per timestep
// and whose backward runs backprop-through-time by hand, so a masked or recurrent-dropout
// sequence records one node instead of a dozen per step.

#include "rnnkit/framework/stepped_rnn.h"

#include <algorithm>
#include <array>
#include <optional>
#include <type_traits>
#include <vector>

#include "kernels/eigen/kernels.h"
#include "kernels/onednn/primitives.h"
#include "kernels/threads.h"
#include "rnnkit/framework/autograd.h"
#include "tensor_impl.h"

namespace rnnkit {
namespace {

namespace dnn = kernels::onednn;
namespace eig = kernels::eigen;
using dnnl::algorithm;

constexpr std::string_view op_name = "stepped_simple_rnn";

enum class Act { tanh, relu, sigmoid };

std::optional<Act> activation_of(std::string_view name) {
  if (name == "tanh") return Act::tanh;
  if (name == "relu") return Act::relu;
  if (name == "sigmoid") return Act::sigmoid;
  return std::nullopt;
}

// Every backward reads the activation's output, which the forward keeps anyway.
algorithm forward_algorithm(Act act) {
  switch (act) {
    case Act::tanh:
      return algorithm::eltwise_tanh;
    case Act::relu:
      return algorithm::eltwise_relu;
    case Act::sigmoid:
      return algorithm::eltwise_logistic;
  }
  return algorithm::undef;
}

algorithm backward_algorithm(Act act) {
  switch (act) {
    case Act::tanh:
      return algorithm::eltwise_tanh_use_dst_for_bwd;
    case Act::relu:
      return algorithm::eltwise_relu_use_dst_for_bwd;
    case Act::sigmoid:
      return algorithm::eltwise_logistic_use_dst_for_bwd;
  }
  return algorithm::undef;
}

// The three kernels of a step, float32 on oneDNN and float64 on Eigen.
template <class T>
struct StepKernels;

template <>
struct StepKernels<float> {
  static void step(Act act, const float* previous, const float* recurrent_kernel, float* h,
                   std::int64_t batch, std::int64_t units) {
    dnn::matmul_add_activate(forward_algorithm(act), previous, recurrent_kernel, h, batch, units,
                             units);
  }
  static void activation_backward(Act act, const float* h, const float* g, float* dz,
                                  std::int64_t n) {
    dnn::eltwise_backward(backward_algorithm(act), 0.f, 0.f, h, g, dz, n);
  }
  static void matmul(const float* a, bool transpose_a, const float* b, bool transpose_b, float* c,
                     std::int64_t m, std::int64_t k, std::int64_t n) {
    dnn::matmul(a, transpose_a, b, transpose_b, c, m, k, n);
  }
};

template <>
struct StepKernels<double> {
  static void step(Act act, const double* previous, const double* recurrent_kernel, double* h,
                   std::int64_t batch, std::int64_t units) {
    auto z = eig::mat(h, batch, units);
    z.noalias() += eig::mat(previous, batch, units) * eig::mat(recurrent_kernel, units, units);
    auto y = eig::vec(h, batch * units);
    switch (act) {
      case Act::tanh:
        y = y.tanh();
        break;
      case Act::relu:
        y = (y > 0.0).select(y, 0.0);  // NaN gives 0, as the relu op
        break;
      case Act::sigmoid:
        y = 1.0 / (1.0 + (-y).exp());
        break;
    }
  }
  static void activation_backward(Act act, const double* h, const double* g, double* dz,
                                  std::int64_t n) {
    const auto y = eig::vec(h, n);
    const auto grad = eig::vec(g, n);
    auto out = eig::vec(dz, n);
    switch (act) {
      case Act::tanh:
        out = grad * (1.0 - y.square());
        break;
      case Act::relu:
        out = grad * (y > 0.0).cast<double>();  // Inf at a dead unit gives NaN, as the relu op
        break;
      case Act::sigmoid:
        out = grad * y * (1.0 - y);
        break;
    }
  }
  static void matmul(const double* a, bool transpose_a, const double* b, bool transpose_b,
                     double* c, std::int64_t m, std::int64_t k, std::int64_t n) {
    eig::matmul(a, transpose_a, b, transpose_b, c, m, k, n);
  }
};

struct Problem {
  std::int64_t batch, time, units;
  Act act;
  bool go_backwards, zero_output_for_mask;

  std::int64_t time_index(std::int64_t step) const { return go_backwards ? time - 1 - step : step; }
  std::int64_t block() const { return batch * units; }
};

// Row b of step t of a batch-major [B, T, U] buffer.
template <class T>
T* row_at(T* sequence, const Problem& p, std::int64_t b, std::int64_t t) {
  return sequence + (b * p.time + t) * p.units;
}

// The forward's results; hs and inputs (the recurrent matmul's left operands) are
// time-major [T, B, U] in processing order and kept for backward.
struct Forward {
  Tensor sequence, last_output, last_state, hs, inputs;
};

template <class T>
void run_forward(const Problem& p, const T* projected, const T* h0, const T* recurrent_kernel,
                 const std::uint8_t* keep, const T* recurrent_mask, Forward& f) {
  const std::int64_t block = p.block(), u = p.units;
  T* state = f.last_state.mutable_data<T>();
  T* output = f.last_output.mutable_data<T>();
  T* hs = f.hs.mutable_data<T>();
  T* inputs = f.inputs.mutable_data<T>();
  T* sequence = f.sequence.defined() ? f.sequence.mutable_data<T>() : nullptr;
  std::copy_n(h0, block, state);
  std::fill_n(output, block, T(0));  // a leading masked step outputs zeros (spec §2.5)
  for (std::int64_t k = 0; k < p.time; ++k) {
    const std::int64_t t = p.time_index(k);
    T* input = inputs + k * block;
    T* h = hs + k * block;
    if (recurrent_mask) {
      eig::vec(input, block) = eig::vec(state, block) * eig::vec(recurrent_mask, block);
    } else {
      std::copy_n(state, block, input);
    }
    for (std::int64_t b = 0; b < p.batch; ++b)
      std::copy_n(row_at(projected, p, b, t), u, h + b * u);
    StepKernels<T>::step(p.act, input, recurrent_kernel, h, p.batch, u);
    for (std::int64_t b = 0; b < p.batch; ++b) {
      if (!keep || keep[b * p.time + t]) {
        std::copy_n(h + b * u, u, state + b * u);
        std::copy_n(h + b * u, u, output + b * u);
      } else if (p.zero_output_for_mask) {
        std::fill_n(output + b * u, u, T(0));
      }
      if (sequence) std::copy_n(output + b * u, u, row_at(sequence, p, b, k));
    }
  }
}

// Where each input's gradient goes (null: not wanted).
template <class T>
struct GradientTargets {
  T* projected;
  T* h0;
  T* recurrent_kernel;
};

// Backprop-through-time. g_output and g_state carry the gradients of the running output and
// state backwards; a real step hands both to its activation, a masked step passes them on
// (the output's only without zero_output_for_mask).
template <class T>
void run_backward(const Problem& p, const T* hs, const T* inputs, const T* recurrent_kernel,
                  const std::uint8_t* keep, const T* recurrent_mask, const T* g_sequence,
                  const T* g_last_output, const T* g_last_state, GradientTargets<T> out) {
  const std::int64_t block = p.block(), u = p.units;
  std::vector<T> g_output(g_last_output, g_last_output + block);
  std::vector<T> g_state(g_last_state, g_last_state + block);
  std::vector<T> g_h(static_cast<std::size_t>(block)), g_input(static_cast<std::size_t>(block));
  Tensor dz_all =
      Tensor::empty({p.time, p.batch, u}, std::is_same_v<T, float> ? DType::f32 : DType::f64);
  T* dz_base = dz_all.mutable_data<T>();
  for (std::int64_t k = p.time - 1; k >= 0; --k) {
    const std::int64_t t = p.time_index(k);
    for (std::int64_t b = 0; b < p.batch; ++b) {
      auto go = eig::vec(g_output.data() + b * u, u);
      auto gs = eig::vec(g_state.data() + b * u, u);
      auto gh = eig::vec(g_h.data() + b * u, u);
      if (g_sequence) go += eig::vec(row_at(g_sequence, p, b, k), u);
      if (!keep || keep[b * p.time + t]) {
        gh = go + gs;
        go.setZero();
        gs.setZero();
      } else {
        gh.setZero();
        if (p.zero_output_for_mask) go.setZero();
      }
    }
    T* dz = dz_base + k * block;
    StepKernels<T>::activation_backward(p.act, hs + k * block, g_h.data(), dz, block);
    if (out.projected) {
      for (std::int64_t b = 0; b < p.batch; ++b) {
        std::copy_n(dz + b * u, u, row_at(out.projected, p, b, t));
      }
    }
    if (k == 0 && !out.h0) continue;
    StepKernels<T>::matmul(dz, false, recurrent_kernel, true, g_input.data(), p.batch, u, u);
    auto gs_all = eig::vec(g_state.data(), block);
    if (recurrent_mask) {
      gs_all += eig::vec(g_input.data(), block) * eig::vec(recurrent_mask, block);
    } else {
      gs_all += eig::vec(g_input.data(), block);
    }
  }
  if (out.h0) std::copy_n(g_state.data(), block, out.h0);
  // dL/dU = sum over steps of input_k^T dz_k: one GEMM over all T*B rows.
  if (out.recurrent_kernel) {
    StepKernels<T>::matmul(inputs, true, dz_base, false, out.recurrent_kernel, u, p.time * p.batch,
                           u);
  }
}

void require_dtype(const Tensor& tensor, std::string_view argument, DType dtype) {
  if (tensor.dtype() != dtype) {
    throw std::invalid_argument(fmt::format("{}: argument '{}' must be {} like 'projected', got {}",
                                            op_name, argument, dtype_name(dtype),
                                            dtype_name(tensor.dtype())));
  }
}

// Checks every argument and returns the problem they describe, before anything is computed.
Problem validate(const Tensor& projected, const Tensor& h0, const Tensor& recurrent_kernel,
                 std::string_view activation, const SteppedRnnOptions& options) {
  const auto act = activation_of(activation);
  if (!act) {
    throw std::invalid_argument(
        fmt::format("{}: activation must be one of \"tanh\", \"relu\", \"sigmoid\", got \"{}\"",
                    op_name, activation));
  }
  detail::require_defined(op_name, projected, "projected");
  detail::require_floating(op_name, projected, "projected");
  detail::require_defined(op_name, h0, "h0");
  detail::require_defined(op_name, recurrent_kernel, "recurrent_kernel");
  if (projected.dim() != 3 || projected.size(0) < 1 || projected.size(1) < 1 ||
      projected.size(2) < 1) {
    throw std::invalid_argument(fmt::format(
        "{}: argument 'projected' must be [batch, timesteps, units] with every dimension >= 1, "
        "got shape {}",
        op_name, shape_str(projected.shape())));
  }
  const Problem problem{.batch = projected.size(0),
                        .time = projected.size(1),
                        .units = projected.size(2),
                        .act = *act,
                        .go_backwards = options.go_backwards,
                        .zero_output_for_mask = options.zero_output_for_mask};
  const DType dtype = projected.dtype();
  require_dtype(h0, "h0", dtype);
  detail::require_shape(op_name, h0, "h0", "[batch, units]", {problem.batch, problem.units});
  require_dtype(recurrent_kernel, "recurrent_kernel", dtype);
  detail::require_shape(op_name, recurrent_kernel, "recurrent_kernel", "[units, units]",
                        {problem.units, problem.units});
  if (options.mask.defined()) {
    if (options.mask.dtype() != DType::boolean) {
      throw std::invalid_argument(fmt::format("{}: argument 'mask' must be bool, got {}", op_name,
                                              dtype_name(options.mask.dtype())));
    }
    detail::require_shape(op_name, options.mask, "mask", "[batch, timesteps]",
                          {problem.batch, problem.time});
  }
  if (options.recurrent_mask.defined()) {
    require_dtype(options.recurrent_mask, "recurrent_mask", dtype);
    detail::require_shape(op_name, options.recurrent_mask, "recurrent_mask", "[batch, units]",
                          {problem.batch, problem.units});
  }
  return problem;
}

std::string problem_key(std::string_view kind, const Problem& p) {
  return fmt::format("{}:{}:{}x{}x{}", kind, static_cast<int>(p.act), p.batch, p.time, p.units);
}

// float32 runs on the per-problem thread choice (oneDNN's kernels give the same bits on any
// count); float64's Eigen GEMMs may split a sum between threads, so they keep the caller's count.
template <class T, class F>
void run_kernel(std::string_view kind, const Problem& p, F&& kernel) {
  if constexpr (std::is_same_v<T, float>) {
    kernels::run_with_chosen_threads(problem_key(kind, p), kernel);
  } else {
    kernel();
  }
}

template <class T>
const T* data_or_null(const Tensor& tensor) {
  return tensor.defined() ? tensor.data<T>() : nullptr;
}

template <class T>
T* mutable_or_null(Tensor& tensor) {
  return tensor.defined() ? tensor.mutable_data<T>() : nullptr;
}

}  // namespace

bool stepped_rnn_supports(std::string_view activation, DType dtype) {
  return (dtype == DType::f32 || dtype == DType::f64) && activation_of(activation).has_value();
}

SteppedRnnOutputs stepped_simple_rnn(const Tensor& projected, const Tensor& h0,
                                     const Tensor& recurrent_kernel, std::string_view activation,
                                     const SteppedRnnOptions& options) {
  const Problem p = validate(projected, h0, recurrent_kernel, activation, options);
  const DType dtype = projected.dtype();
  const Shape step_shape{p.batch, p.units}, time_major{p.time, p.batch, p.units};
  Forward f{.sequence =
                options.with_sequence ? Tensor::empty({p.batch, p.time, p.units}, dtype) : Tensor(),
            .last_output = Tensor::empty(step_shape, dtype),
            .last_state = Tensor::empty(step_shape, dtype),
            .hs = Tensor::empty(time_major, dtype),
            .inputs = Tensor::empty(time_major, dtype)};
  const Tensor mask = options.mask, recurrent_mask = options.recurrent_mask;
  const std::uint8_t* keep = data_or_null<std::uint8_t>(mask);
  detail::dispatch_float(op_name, dtype, [&](auto zero) {
    using T = decltype(zero);
    run_kernel<T>("stepped_rnn_fwd", p, [&] {
      run_forward<T>(p, projected.data<T>(), h0.data<T>(), recurrent_kernel.data<T>(), keep,
                     data_or_null<T>(recurrent_mask), f);
    });
  });
  if (!needs_grad({&projected, &h0, &recurrent_kernel})) {
    return {f.sequence, f.last_output, f.last_state};
  }

  const std::array<bool, 3> wanted{projected.requires_grad(), h0.requires_grad(),
                                   recurrent_kernel.requires_grad()};
  // Backward reads the masks as they were: small copies, so a caller may reuse its mask
  // tensors at once, as with the step loop of ops.
  const SavedTensor saved_recurrent_kernel(recurrent_kernel);
  const Tensor kept_mask = mask.defined() ? mask.clone() : Tensor();
  const Tensor kept_recurrent_mask =
      recurrent_mask.defined() ? recurrent_mask.detach().clone() : Tensor();
  const bool with_sequence = options.with_sequence;
  std::vector<Tensor> outputs{f.last_output, f.last_state};
  if (with_sequence) outputs.insert(outputs.begin(), f.sequence);
  outputs = record(
      op_name, {projected, h0, recurrent_kernel}, outputs,
      [=, hs = f.hs, inputs = f.inputs](const std::vector<Tensor>& g) -> std::vector<Tensor> {
        const Tensor& kernel = saved_recurrent_kernel.get(op_name);
        const std::uint8_t* kept = data_or_null<std::uint8_t>(kept_mask);
        const auto gradient = [&](const Shape& shape, bool on) {
          return on ? Tensor::empty(shape, dtype) : Tensor();
        };
        std::vector<Tensor> grads{gradient({p.batch, p.time, p.units}, wanted[0]),
                                  gradient(step_shape, wanted[1]),
                                  gradient({p.units, p.units}, wanted[2])};
        const std::size_t last = with_sequence ? 1 : 0;
        detail::dispatch_float(op_name, dtype, [&](auto zero) {
          using T = decltype(zero);
          run_kernel<T>("stepped_rnn_bwd", p, [&] {
            run_backward<T>(p, hs.data<T>(), inputs.data<T>(), kernel.data<T>(), kept,
                            data_or_null<T>(kept_recurrent_mask),
                            with_sequence ? g[0].data<T>() : nullptr, g[last].data<T>(),
                            g[last + 1].data<T>(),
                            {mutable_or_null<T>(grads[0]), mutable_or_null<T>(grads[1]),
                             mutable_or_null<T>(grads[2])});
          });
        });
        return grads;
      });
  if (!with_sequence) return {Tensor(), outputs[0], outputs[1]};
  return {outputs[0], outputs[1], outputs[2]};
}

}  // namespace rnnkit
