#pragma once

// Constants of the archive format documented in rnnkit/framework/io.h.

#include <zlib.h>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "rnnkit/framework/dtype.h"

namespace rnnkit::io::detail {

// Tensor data is copied as raw bytes, which are the format's little-endian ones only on a
// little-endian host.
static_assert(std::endian::native == std::endian::little,
              "rnnkit archives store tensor data as the host's bytes: a little-endian host only");

inline constexpr std::string_view magic = "RNNKITAR";
inline constexpr std::uint32_t format_version = 1;
inline constexpr std::size_t checksum_size = 4;

/// (file code, dtype): the codes are the file format's, fixed, and independent of DType's
/// numeric values.
inline constexpr std::array<std::pair<std::uint8_t, DType>, 4> dtype_codes{{
    {0, DType::f32},
    {1, DType::f64},
    {2, DType::boolean},
    {3, DType::i64},
}};

/// zlib's CRC-32 (IEEE) of `bytes`.
inline std::uint32_t crc32_of(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      ::crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

}  // namespace rnnkit::io::detail
