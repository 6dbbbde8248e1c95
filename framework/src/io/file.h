#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace rnnkit::io::detail {

/// `path` in double quotes, for error messages.
std::string quoted(const std::filesystem::path& path);
/// Every byte of the regular file at `path`, up to the size it has when opened. Anything else
/// (a directory, a device, a FIFO: opened without blocking) throws std::runtime_error naming
/// `op`, `path` and what it is; OS failures throw std::system_error naming `op` and `path`.
std::string read_file(std::string_view op, const std::filesystem::path& path);
/// Replaces the file at `path` with `bytes` atomically. The bytes go to a file without a name
/// (O_TMPFILE) in the same directory, fsync'ed, linked as "<path>.tmp-<pid>-<n>" and renamed
/// over `path`; where the filesystem has no such files, to a named temporary of that pattern.
/// Temporaries of `path` that dead processes left are removed first. On failure the temporary
/// is removed, `path` is untouched, and std::system_error names `op`, `path` and the OS reason.
void write_file_atomically(std::string_view op, const std::filesystem::path& path,
                           std::string_view bytes);

}  // namespace rnnkit::io::detail
