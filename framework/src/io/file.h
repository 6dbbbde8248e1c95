#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace rnnkit::io::detail {

/// `path` in double quotes, for error messages.
std::string quoted(const std::filesystem::path& path);
/// Every byte of the file at `path`; OS failures throw std::system_error naming `op` and `path`.
std::string read_file(std::string_view op, const std::filesystem::path& path);
/// Replaces the file at `path` with `bytes` atomically: a temporary file "<path>.tmp-<pid>-<n>"
/// in the same directory is written, fsync'ed and renamed over `path`. On failure the temporary
/// is removed, `path` is untouched, and std::system_error names `op`, `path` and the OS reason.
void write_file_atomically(std::string_view op, const std::filesystem::path& path,
                           std::string_view bytes);

}  // namespace rnnkit::io::detail
