#pragma once

// Masks that a whole-sequence kernel can honour: when every row of the mask, in processing
// order, is a run of real steps followed only by padding, running the padding too changes
// nothing before it, and the masked results (spec §2.5) can be read off the unmasked run — for
// cells whose state is their output, as SimpleRNN's is. This is how Keras lets cuDNN run
// right-padded batches.

#include <rnnkit/framework/tensor.h>
#include <rnnkit/layers/abstract_rnn_cell.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace rnnkit::layers::detail {

struct RightPadding {
  std::vector<std::int64_t> lengths;  ///< real steps per row, each in [1, T]
  Tensor keep;                        ///< [B, T, 1] bool, the mask in processing order
  bool any_padding = false;           ///< some row is shorter than T
};

/// The padding of `mask` [B, T] bool as seen in processing order (reversed when
/// `go_backwards`), or nothing when a row has a real step after padding or no real step.
std::optional<RightPadding> right_padding(const Tensor& mask, bool go_backwards);

/// The masked run's outputs from `sequence` [B, T, U], the outputs of a run that ignored the
/// padding (processing order), for a cell whose single state is its output.
SequenceOutput apply_right_padding(const Tensor& sequence, const RightPadding& padding,
                                   const SequenceOptions& options);

}  // namespace rnnkit::layers::detail
