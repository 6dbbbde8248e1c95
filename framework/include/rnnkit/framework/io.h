#pragma once

// rnnkit's tensor-archive file format (the ".rnnkit" files behind save_weights / load_weights /
// save / load_model).
//
// Format version 1, byte by byte. Every integer is little-endian; u8/u32/u64 are unsigned and
// i64 is two's complement. Offsets are relative to the start of the file.
//
//   offset  size     field
//   0       8        magic: the ASCII bytes "RNNKITAR"
//   8       4        u32 format version, = 1
//   12      8        u64 metadata length M
//   20      M        metadata: M bytes of UTF-8 text (a JSON document by convention)
//   20+M    4        u32 group count G
//   then G groups, each:
//           4        u32 group name length N
//           N        group name (UTF-8)
//           4        u32 tensor count T
//           then T tensors, each:
//                    4          u32 tensor name length N
//                    N          tensor name (UTF-8)
//                    1          u8 dtype code: 0 float32, 1 float64, 2 bool, 3 int64
//                    4          u32 rank R (0 for a scalar)
//                    8 × R      R × i64 dimensions, outermost first, each >= 0
//                    8          u64 data length D, = (product of the dimensions) × element size
//                               (4, 8, 1, 8 bytes for the codes above)
//                    D          the elements in row-major order: IEEE-754 binary32/binary64
//                               for float32/float64, one byte 0 or 1 per bool, i64 for int64
//   last    4        u32 CRC-32 (IEEE 802.3 polynomial, as zlib's crc32()) of every byte before it
//
// Nothing follows the checksum. Group names are unique within a file; tensor names need not be.
// A reader refuses any other version, so a change to this layout must bump the version.

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rnnkit/framework/tensor.h"

namespace rnnkit::io {

/// One named tensor of an archive.
struct NamedTensor {
  std::string name;
  Tensor value;
};

/// What an archive file holds: a UTF-8 metadata text (the caller puts JSON there) and named
/// tensors in order, in groups (e.g. "weights", "optimizer"), each tensor f32/f64/bool/i64, any
/// shape.
struct Archive {
  std::string metadata;
  /// Group name -> tensors, in order; group names are unique.
  std::vector<std::pair<std::string, std::vector<NamedTensor>>> groups;

  /// The group named `name`, or nullptr.
  const std::vector<NamedTensor>* group(std::string_view name) const;
};

/// Writes `archive` to `path` atomically: to a temporary file "<path>.tmp-<pid>-<n>" in the same
/// directory, flushed and fsync'ed, then renamed over `path`. On any failure the temporary is
/// removed, the previous file at `path` is left intact, and std::runtime_error (a
/// std::system_error) names the path and the OS reason. An undefined tensor or a repeated group
/// name throws std::invalid_argument before anything is written.
void save_archive(const std::filesystem::path& path, const Archive& archive);

/// Reads and fully validates a file written by save_archive: magic, format version, every size,
/// dtype codes, that the tensors' byte counts match their shapes, bool bytes, unique group
/// names, no trailing bytes, and the CRC-32 checksum, all before any tensor is built. Any problem
/// throws std::runtime_error naming the path and what is wrong (e.g. "truncated: expected 4096
/// more bytes at offset 120, 12 remain", "checksum mismatch", "not an rnnkit archive (bad
/// magic)", "unsupported format version 7 (this build reads 1)").
Archive load_archive(const std::filesystem::path& path);

}  // namespace rnnkit::io
