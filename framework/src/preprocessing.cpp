#include "rnnkit/framework/preprocessing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "tensor_impl.h"

namespace rnnkit {
namespace {

using Sequences = std::vector<std::vector<std::int64_t>>;

void require_pre_or_post(std::string_view kind, const std::string& name) {
  if (name != "pre" && name != "post") {
    throw std::invalid_argument(fmt::format(
        "pad_sequences: {} type \"{}\" not understood; expected \"pre\" or \"post\"", kind, name));
  }
}

void require_representable(double value, DType dtype) {
  // 2^63 is the first double past int64's range.
  constexpr double limit = 9223372036854775808.0;
  if (dtype == DType::i64 && !(std::isfinite(value) && value >= -limit && value < limit)) {
    throw std::invalid_argument(fmt::format(
        "pad_sequences: value must be a finite number within int64's range for dtype int64, got {}",
        value));
  }
}

std::int64_t resolved_maxlen(const Sequences& sequences, const PadSequencesOptions& options) {
  if (options.maxlen) {
    if (*options.maxlen < 0) {
      throw std::invalid_argument(fmt::format(
          "pad_sequences: maxlen must be non-negative (or unset), got {}", *options.maxlen));
    }
    return *options.maxlen;
  }
  if (sequences.empty()) {
    throw std::invalid_argument(
        "pad_sequences: maxlen is unset and there are no sequences to take the longest length "
        "from; pass maxlen");
  }
  std::size_t longest = 0;
  for (const auto& s : sequences) longest = std::max(longest, s.size());
  return static_cast<std::int64_t>(longest);
}

// Keras keeps s[-maxlen:] for truncating "pre", and s[-0:] is the whole sequence, which numpy
// then refuses to fit into zero columns.
void require_fit_at_maxlen_zero(const Sequences& sequences, const PadSequencesOptions& options) {
  if (options.maxlen != 0 || options.truncating != "pre") return;
  const auto first = std::ranges::find_if(sequences, [](const auto& s) { return !s.empty(); });
  if (first != sequences.end()) {
    throw std::invalid_argument(fmt::format(
        "pad_sequences: maxlen 0 with truncating \"pre\" keeps all {} values of sequence {} "
        "(Keras slices s[-0:]), which cannot fit in 0 columns; use truncating \"post\" or a "
        "positive maxlen",
        first->size(), first - sequences.begin()));
  }
}

}  // namespace

Tensor pad_sequences(const Sequences& sequences, const PadSequencesOptions& options) {
  // Keras checks truncating before padding.
  require_pre_or_post("Truncating", options.truncating);
  require_pre_or_post("Padding", options.padding);
  const std::int64_t maxlen = resolved_maxlen(sequences, options);
  require_representable(options.value, options.dtype);
  require_fit_at_maxlen_zero(sequences, options);

  const auto rows = static_cast<std::int64_t>(sequences.size());
  Tensor out = Tensor::full({rows, maxlen}, options.value, options.dtype);
  detail::dispatch_any(options.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* o = out.mutable_data<T>();
    for (std::int64_t row = 0; row < rows; ++row) {
      const auto& s = sequences[static_cast<std::size_t>(row)];
      const std::int64_t kept = std::min(static_cast<std::int64_t>(s.size()), maxlen);
      const auto first = options.truncating == "pre" ? s.end() - kept : s.begin();
      T* destination = o + row * maxlen + (options.padding == "pre" ? maxlen - kept : 0);
      std::transform(first, first + kept, destination, [](std::int64_t id) {
        if constexpr (std::is_same_v<T, std::uint8_t>)
          return static_cast<T>(id != 0 ? 1 : 0);
        else
          return static_cast<T>(id);
      });
    }
  });
  return out;
}

}  // namespace rnnkit
