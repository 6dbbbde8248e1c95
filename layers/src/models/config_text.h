#pragma once

#include <fmt/format.h>

#include <string_view>

#include "rnnkit/framework/config.h"

namespace rnnkit::models::detail {

/// How deeply a model's JSON may nest; Keras's own configs nest about 6 levels.
inline constexpr int max_config_depth = 128;

/// Config::parse of a model's JSON text from a file or a caller. Text that is not JSON throws a
/// Config::exception: a parse_error, or an out_of_range for a number beyond a double's range
/// (1e400). So does a document nested deeper than max_config_depth, because nlohmann's copy,
/// comparison and dump() recurse once per level and a deeper one would overflow the stack.
inline Config parse_config_text(std::string_view text) {
  return Config::parse(text, [](int depth, Config::parse_event_t, Config&) {
    if (depth > max_config_depth) {
      throw Config::parse_error::create(
          101, 0, fmt::format("nested deeper than {} levels", max_config_depth), nullptr);
    }
    return true;
  });
}

}  // namespace rnnkit::models::detail
