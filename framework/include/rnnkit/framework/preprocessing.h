#pragma once

// Getting variable-length sequences into one tensor, as keras.utils.pad_sequences does.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rnnkit/framework/dtype.h"
#include "rnnkit/framework/tensor.h"

namespace rnnkit {

/// pad_sequences's arguments after the sequences, in Keras's order.
struct PadSequencesOptions {
  std::optional<std::int64_t> maxlen = std::nullopt;  ///< unset: the longest sequence's length
  DType dtype = DType::i64;                           ///< Keras's default is 'int32'
  std::string padding = "pre";     ///< "pre" or "post": pad before or after each sequence
  std::string truncating = "pre";  ///< "pre" or "post": drop values from the start or the end
  double value = 0.0;              ///< the padding value, converted to dtype
};

/// keras.utils.pad_sequences: `sequences` (e.g. lists of token ids) as one [N, maxlen] tensor,
/// each row a sequence truncated to maxlen and padded with `value`; an empty sequence gives a row
/// of padding. Throws std::invalid_argument, as Keras raises, for an unknown padding or
/// truncating name (whether or not a sequence needs it), a negative maxlen, no sequences without
/// maxlen, maxlen 0 with truncating "pre" and a non-empty sequence; and, where numpy would
/// silently wrap, for a value int64 cannot hold.
Tensor pad_sequences(const std::vector<std::vector<std::int64_t>>& sequences,
                     const PadSequencesOptions& options = {});

}  // namespace rnnkit
