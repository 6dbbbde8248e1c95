#include "checks.h"

#include <fmt/format.h>

#include <stdexcept>

namespace rnnkit::layers::detail {

void check_float(std::string_view label, std::string_view argument, const Tensor& tensor) {
  if (!tensor.defined()) {
    throw std::invalid_argument(fmt::format(
        "{}: argument '{}' must be a float tensor, got an undefined tensor", label, argument));
  }
  if (!is_floating(tensor.dtype())) {
    throw std::invalid_argument(
        fmt::format("{}: argument '{}' must be float32 or float64, got {} of shape {}", label,
                    argument, dtype_name(tensor.dtype()), shape_str(tensor.shape())));
  }
}

void check_states(std::string_view label, std::string_view argument,
                  const std::vector<Tensor>& states, std::int64_t batch,
                  const std::vector<std::int64_t>& state_size) {
  if (states.size() != state_size.size()) {
    throw std::invalid_argument(
        fmt::format("{}: layer has {} states but was passed {} values in '{}'", label,
                    state_size.size(), states.size(), argument));
  }
  for (std::size_t i = 0; i < states.size(); ++i) {
    const std::string name = fmt::format("{}[{}]", argument, i);
    check_float(label, name, states[i]);
    const Shape expected{batch, state_size[i]};
    if (states[i].shape() != expected) {
      throw std::invalid_argument(fmt::format("{}: argument '{}' must have shape {}, got {}", label,
                                              name, shape_str(expected),
                                              shape_str(states[i].shape())));
    }
  }
}

void check_rate(std::string_view who, std::string_view argument, double rate) {
  if (!(rate >= 0.0 && rate < 1.0)) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be a rate in [0, 1), got {}", who, argument, rate));
  }
}

void check_positive(std::string_view who, std::string_view argument, std::int64_t value) {
  if (value < 1) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be a positive integer, got {}", who, argument, value));
  }
}

void check_given_once(std::string_view who, std::string_view argument, std::int64_t given,
                      std::int64_t option) {
  if (option != 0 && option != given) {
    throw std::invalid_argument(fmt::format("{}: {} given twice, as {} and as options.{} = {}", who,
                                            argument, given, argument, option));
  }
}

}  // namespace rnnkit::layers::detail
