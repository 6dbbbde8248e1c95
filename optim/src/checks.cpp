#include "checks.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace rnnkit::optim::detail {

void require_non_negative(std::string_view owner, std::string_view argument, double value) {
  if (!(std::isfinite(value) && value >= 0.0)) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be a finite number >= 0, got {}", owner, argument, value));
  }
}

void require_unit_closed(std::string_view owner, std::string_view argument, double value) {
  if (!(value >= 0.0 && value <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be in [0, 1], got {}", owner, argument, value));
  }
}

void require_unit_half_open(std::string_view owner, std::string_view argument, double value) {
  if (!(value >= 0.0 && value < 1.0)) {
    throw std::invalid_argument(
        fmt::format("{}: {} must be in [0, 1), got {}", owner, argument, value));
  }
}

double keras_epsilon(std::string_view owner, double epsilon) {
  require_non_negative(owner, "epsilon", epsilon);
  return epsilon == 0.0 ? 1e-7 : epsilon;
}

}  // namespace rnnkit::optim::detail
