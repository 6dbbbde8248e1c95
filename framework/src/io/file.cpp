#include "io/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <system_error>

namespace rnnkit::io::detail {
namespace {

[[noreturn]] void throw_os_error(int error, const std::string& message) {
  throw std::system_error(error, std::generic_category(), message);
}

/// Owns a POSIX file descriptor.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  /// Closes now; returns 0 or the errno of the close, which can be a delayed write error.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

/// Unlinks a file when it leaves scope, unless it was kept.
struct RemoveUnlessKept {
  const std::filesystem::path& path;
  bool kept = false;
  ~RemoveUnlessKept() {
    if (!kept) ::unlink(path.c_str());
  }
};

/// Returns 0 or the errno of the failed write.
int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

std::atomic<std::uint64_t> temporary_counter{0};

std::string temporary_prefix(const std::filesystem::path& target) {
  return target.filename().string() + ".tmp-";
}

/// The pid in a name "<target>.tmp-<pid>-<n>" of `prefix`, or 0 when the name is not one.
pid_t temporary_owner(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return 0;
  name.remove_prefix(prefix.size());
  const std::size_t dash = name.find('-');
  const auto digits = [](std::string_view text) {
    return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dash == std::string_view::npos || !digits(name.substr(0, dash)) ||
      !digits(name.substr(dash + 1))) {
    return 0;
  }
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + dash, pid);
  return error == std::errc() && end == name.data() + dash ? pid : 0;
}

/// Removes the temporaries of `target` that processes killed mid-save left: regular files
/// named "<target>.tmp-<pid>-<n>" whose pid no longer runs. A live pid's file may be a save in
/// progress, so it stays. Best effort: what cannot be listed or removed stays too.
void remove_stale_temporaries(const std::filesystem::path& target) {
  const std::filesystem::path directory =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  const std::string prefix = temporary_prefix(target);
  std::error_code error;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    const pid_t pid = temporary_owner(entry->path().filename().string(), prefix);
    if (pid <= 0 || !entry->is_regular_file(error)) continue;
    if (::kill(pid, 0) != 0 && errno == ESRCH) ::unlink(entry->path().c_str());
  }
}

/// "<target>.tmp-<pid>-<n>", a name no earlier call of this process gave.
std::filesystem::path next_temporary_name(const std::filesystem::path& target) {
  std::filesystem::path temporary = target;
  temporary += fmt::format(".tmp-{}-{}", ::getpid(), temporary_counter++);
  return temporary;
}

/// Gives `create(name)` names until it stops failing with EEXIST: a crashed save can leave a
/// temporary under a name a later process with the same pid (common in containers) tries
/// again. Returns the name, or an empty path with `error` set to the last failure.
template <class Create>
std::filesystem::path unique_temporary(const std::filesystem::path& target, Create&& create,
                                       int& error) {
  constexpr int attempts = 1000;
  error = EEXIST;
  for (int i = 0; i < attempts && error == EEXIST; ++i) {
    std::filesystem::path temporary = next_temporary_name(target);
    error = create(temporary);
    if (error == 0) return temporary;
  }
  return {};
}

/// Makes the rename itself durable. Failing here is not reported: the new file is already in
/// place and complete, and only its survival of a power cut is weaker.
void sync_directory(const std::filesystem::path& directory) {
  FileDescriptor fd(
      ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

std::string_view file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "directory";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  return "special file";
}

/// Writes `bytes` to `fd` and flushes it to disk; throws naming `op` and `path`.
void write_and_sync(std::string_view op, const std::filesystem::path& path, FileDescriptor& fd,
                    std::string_view bytes) {
  const auto fail = [&](int error, std::string_view action) {
    throw_os_error(error, fmt::format("{}: cannot {} {}", op, action, quoted(path)));
  };
  if (const int error = write_all(fd.get(), bytes)) fail(error, "write");
  if (::fsync(fd.get()) != 0) fail(errno, "flush to disk");
}

/// Closes the written `fd` and renames `temporary`, its name, over `path`; on failure the
/// temporary is removed and the error thrown naming `op` and `path`.
void close_and_replace(std::string_view op, const std::filesystem::path& path, FileDescriptor& fd,
                       const std::filesystem::path& temporary) {
  RemoveUnlessKept guard{temporary};
  if (const int error = fd.close()) {
    throw_os_error(error, fmt::format("{}: cannot write {}", op, quoted(path)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    throw_os_error(errno, fmt::format("{}: cannot replace {}", op, quoted(path)));
  }
  guard.kept = true;
}

/// Writes through a file without a name (O_TMPFILE), so that a process killed while writing
/// leaves nothing; the complete file is linked under a temporary name and renamed over `path`
/// (linkat cannot replace a file). Returns false, leaving nothing behind, when the filesystem
/// or the kernel cannot make such files, /proc is not there to link them by, or the link is
/// refused (some sandboxes forbid it): the named fallback then writes the file.
bool write_through_unnamed_file(std::string_view op, const std::filesystem::path& path,
                                std::string_view bytes) {
  const std::filesystem::path directory =
      path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  FileDescriptor fd(::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
  if (fd.get() < 0) return false;
  const std::string self = fmt::format("/proc/self/fd/{}", fd.get());
  if (::access(self.c_str(), F_OK) != 0) return false;
  write_and_sync(op, path, fd, bytes);
  int error = 0;
  const std::filesystem::path temporary = unique_temporary(
      path,
      [&](const std::filesystem::path& name) {
        return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0
                   ? 0
                   : errno;
      },
      error);
  if (temporary.empty()) return false;
  close_and_replace(op, path, fd, temporary);
  return true;
}

/// The fallback: a named temporary, written, flushed and renamed over `path`.
void write_through_named_file(std::string_view op, const std::filesystem::path& path,
                              std::string_view bytes) {
  int raw_fd = -1;
  int error = 0;
  const std::filesystem::path temporary = unique_temporary(
      path,
      [&](const std::filesystem::path& name) {
        raw_fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        return raw_fd >= 0 ? 0 : errno;
      },
      error);
  if (temporary.empty()) {
    throw_os_error(error,
                   fmt::format("{}: cannot create a temporary file next to {}", op, quoted(path)));
  }
  FileDescriptor fd(raw_fd);
  {
    RemoveUnlessKept guard{temporary};
    write_and_sync(op, path, fd, bytes);
    guard.kept = true;
  }
  close_and_replace(op, path, fd, temporary);
}

}  // namespace

std::string quoted(const std::filesystem::path& path) {
  return fmt::format("\"{}\"", path.string());
}

std::string read_file(std::string_view op, const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) throw_os_error(errno, fmt::format("{}: cannot open {}", op, quoted(path)));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw_os_error(errno, fmt::format("{}: cannot read {}", op, quoted(path)));
  }
  if (!S_ISREG(info.st_mode)) {
    throw std::runtime_error(fmt::format("{}: {} is not a regular file but a {}", op, quoted(path),
                                         file_kind(info.st_mode)));
  }
  // The size at open bounds what is read: a file that grows meanwhile is read as it was.
  const auto size = static_cast<std::uint64_t>(std::max<off_t>(info.st_size, 0));
  std::string bytes;
  try {
    bytes.resize(static_cast<std::size_t>(size));
  } catch (const std::bad_alloc&) {
    throw std::runtime_error(fmt::format(
        "{}: {} holds {} bytes, more than this process can allocate", op, quoted(path), size));
  }
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t count = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (count < 0) {
      if (errno == EINTR) continue;
      throw_os_error(errno, fmt::format("{}: cannot read {}", op, quoted(path)));
    }
    if (count == 0) break;
    filled += static_cast<std::size_t>(count);
  }
  bytes.resize(filled);
  return bytes;
}

void write_file_atomically(std::string_view op, const std::filesystem::path& path,
                           std::string_view bytes) {
  remove_stale_temporaries(path);
  if (!write_through_unnamed_file(op, path, bytes)) write_through_named_file(op, path, bytes);
  sync_directory(path.parent_path());
}

}  // namespace rnnkit::io::detail
