#pragma once

#include <string>
#include <string_view>

namespace rnnkit::callbacks::detail {

/// Whether a monitored value improves by growing: "max" -> true, "min" -> false, "auto" ->
/// auto_max. Other modes throw std::invalid_argument naming `who`.
bool maximizes(std::string_view who, const std::string& mode, bool auto_max);

/// The starting "best" of a monitored value: -inf when it grows, +inf when it shrinks.
double worst_value(bool maximize);

/// Writes Keras's warning that `monitor` is not in the logs, listing the names that are.
void warn_missing(std::string_view who, const std::string& monitor, const std::string& present);

}  // namespace rnnkit::callbacks::detail
