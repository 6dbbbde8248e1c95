#pragma once

// Argument checks shared by the cells and RNN layers; each throws std::invalid_argument whose
// message starts with the layer's label.

#include <rnnkit/framework/tensor.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace rnnkit::layers::detail {

/// `tensor` is defined and float32/float64; `argument` names it in the message.
void check_float(std::string_view label, std::string_view argument, const Tensor& tensor);
/// One state per entry of `state_size`, each a float [batch, size]; `argument` is e.g.
/// "initial_state" or "states".
void check_states(std::string_view label, std::string_view argument,
                  const std::vector<Tensor>& states, std::int64_t batch,
                  const std::vector<std::int64_t>& state_size);
/// `rate` in [0, 1); `argument` is "dropout" or "recurrent_dropout".
void check_rate(std::string_view who, std::string_view argument, double rate);
/// `value` >= 1; `argument` is e.g. "units" or "input_dim".
void check_positive(std::string_view who, std::string_view argument, std::int64_t value);
/// Throws unless `option` is unset (0) or equal to `given`, the positional argument of
/// constructors such as SimpleRNN(4, {...}) or Embedding(1000, 64, {...}).
void check_given_once(std::string_view who, std::string_view argument, std::int64_t given,
                      std::int64_t option);

/// `options` with `units` from the positional constructor argument.
template <class Options>
Options with_units(std::string_view who, std::int64_t units, Options options) {
  check_given_once(who, "units", units, options.units);
  options.units = units;
  return options;
}

}  // namespace rnnkit::layers::detail
