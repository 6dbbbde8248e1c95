#pragma once

// What checkpoint_writer announces of each checkpoint it saves, and what the crash test compares
// a loaded checkpoint against: the optimizer's step counter and every weight's bits.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/models/sequential.h>

#include <bit>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rnnkit::testing {

/// A model's trainable state, exactly: f32 weight bits in get_weights() order.
struct CheckpointState {
  std::int64_t iterations = 0;
  std::vector<std::uint32_t> weight_bits;

  bool operator==(const CheckpointState&) const = default;
};

inline CheckpointState checkpoint_state(const models::Sequential& model) {
  CheckpointState state{.iterations = model.optimizer().iterations(), .weight_bits = {}};
  for (const Tensor& weight : model.get_weights()) {
    const float* data = weight.data<float>();
    for (std::int64_t i = 0; i < weight.numel(); ++i) {
      state.weight_bits.push_back(std::bit_cast<std::uint32_t>(data[i]));
    }
  }
  return state;
}

/// "<iterations> <hex bits>...", one line without the newline.
inline std::string to_text(const CheckpointState& state) {
  return fmt::format("{} {:08x}", state.iterations, fmt::join(state.weight_bits, " "));
}

/// The inverse of to_text; std::invalid_argument for anything else.
inline CheckpointState checkpoint_state_from_text(std::string_view text) {
  CheckpointState state;
  const char* at = text.data();
  const char* end = text.data() + text.size();
  auto parsed = std::from_chars(at, end, state.iterations);
  while (parsed.ec == std::errc() && parsed.ptr != end && *parsed.ptr == ' ') {
    std::uint32_t bits = 0;
    parsed = std::from_chars(parsed.ptr + 1, end, bits, 16);
    state.weight_bits.push_back(bits);
  }
  if (parsed.ec != std::errc() || parsed.ptr != end) {
    throw std::invalid_argument(fmt::format("not a checkpoint state: \"{}\"", text));
  }
  return state;
}

}  // namespace rnnkit::testing
