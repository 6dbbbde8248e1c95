#include "right_padding.h"

#include <rnnkit/framework/ops.h>

namespace rnnkit::layers::detail {

std::optional<RightPadding> right_padding(const Tensor& mask, bool go_backwards) {
  const std::int64_t batch = mask.size(0), time = mask.size(1);
  const std::vector<double> values = mask.to(DType::f64).to_vector();
  RightPadding padding;
  std::vector<double> keep(values.size());
  for (std::int64_t b = 0; b < batch; ++b) {
    std::int64_t length = 0;
    for (std::int64_t k = 0; k < time; ++k) {
      const std::int64_t t = go_backwards ? time - 1 - k : k;
      const bool real = values[static_cast<std::size_t>(b * time + t)] != 0.0;
      if (real && length < k) return std::nullopt;  // a real step after padding
      if (real) ++length;
      keep[static_cast<std::size_t>(b * time + k)] = real ? 1.0 : 0.0;
    }
    if (length == 0) return std::nullopt;
    padding.any_padding = padding.any_padding || length < time;
    padding.lengths.push_back(length);
  }
  padding.keep = Tensor::from_values({batch, time, 1}, keep, DType::boolean);
  return padding;
}

SequenceOutput apply_right_padding(const Tensor& sequence, const RightPadding& padding,
                                   const SequenceOptions& options) {
  const std::int64_t batch = sequence.size(0), time = sequence.size(1), units = sequence.size(2);
  // Each row's output at its last real step, which the masked loop carries to the end.
  std::vector<double> last_steps;
  std::vector<double> full_rows;
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int64_t length = padding.lengths[static_cast<std::size_t>(b)];
    last_steps.push_back(static_cast<double>(b * time + length - 1));
    full_rows.push_back(length == time ? 1.0 : 0.0);
  }
  const Tensor last = gather_rows(sequence.reshape({batch * time, units}),
                                  Tensor::from_values({batch}, last_steps, DType::i64));
  SequenceOutput out{.last_output = last, .states = {last}};
  if (options.zero_output_for_mask && padding.any_padding) {
    out.last_output = where(Tensor::from_values({batch, 1}, full_rows, DType::boolean), last,
                            Tensor::zeros({batch, units}, sequence.dtype()));
  }
  if (options.return_sequences) {
    const Tensor zeros = Tensor::zeros(sequence.shape(), sequence.dtype());
    const Tensor fill =
        options.zero_output_for_mask ? zeros : add(zeros, last.reshape({batch, 1, units}));
    out.sequence = where(padding.keep, sequence, fill);
  }
  return out;
}

}  // namespace rnnkit::layers::detail
