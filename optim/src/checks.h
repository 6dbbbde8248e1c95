#pragma once

#include <string_view>

namespace rnnkit::optim::detail {

/// Throws std::invalid_argument "<owner>: <argument> must be a finite number >= 0, got <value>".
void require_non_negative(std::string_view owner, std::string_view argument, double value);
/// Throws std::invalid_argument unless `value` lies in [0, 1].
void require_unit_closed(std::string_view owner, std::string_view argument, double value);
/// Throws std::invalid_argument unless `value` lies in [0, 1).
void require_unit_half_open(std::string_view owner, std::string_view argument, double value);
/// Keras replaces an epsilon of 0 (or None) by its fuzz factor 1e-7 (spec §7).
double keras_epsilon(std::string_view owner, double epsilon);

}  // namespace rnnkit::optim::detail
