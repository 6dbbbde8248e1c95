#include "callbacks/monitor.h"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>

#include "rnnkit/framework/messages.h"

namespace rnnkit::callbacks::detail {

bool maximizes(std::string_view who, const std::string& mode, bool auto_max) {
  if (mode == "max") return true;
  if (mode == "min") return false;
  if (mode == "auto") return auto_max;
  throw std::invalid_argument(
      fmt::format("{}: mode must be \"auto\", \"min\" or \"max\", got \"{}\"", who, mode));
}

double worst_value(bool maximize) {
  return maximize ? -std::numeric_limits<double>::infinity()
                  : std::numeric_limits<double>::infinity();
}

void warn_missing(std::string_view who, const std::string& monitor, const std::string& present) {
  rnnkit::warn(fmt::format("{}: warning: the monitored value '{}' is not in the logs; present: {}",
                           who, monitor, present));
}

}  // namespace rnnkit::callbacks::detail
