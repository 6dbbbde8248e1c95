#include "io/file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
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

/// Creates a new file "<target>.tmp-<pid>-<n>" (never an existing one) and returns its path.
/// A crashed save can leave a temporary behind under a name a later process with the same pid
/// (common in containers) tries again, so taken names are skipped.
std::filesystem::path create_temporary(std::string_view op, const std::filesystem::path& target,
                                       int& fd) {
  constexpr int attempts = 1000;
  int error = EEXIST;
  for (int i = 0; i < attempts && error == EEXIST; ++i) {
    std::filesystem::path temporary = target;
    temporary += fmt::format(".tmp-{}-{}", ::getpid(), temporary_counter++);
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return temporary;
    error = errno;
  }
  throw_os_error(error,
                 fmt::format("{}: cannot create a temporary file next to {}", op, quoted(target)));
}

/// Makes the rename itself durable. Failing here is not reported: the new file is already in
/// place and complete, and only its survival of a power cut is weaker.
void sync_directory(const std::filesystem::path& directory) {
  FileDescriptor fd(
      ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

}  // namespace

std::string quoted(const std::filesystem::path& path) {
  return fmt::format("\"{}\"", path.string());
}

std::string read_file(std::string_view op, const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_os_error(errno, fmt::format("{}: cannot open {}", op, quoted(path)));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    throw_os_error(errno, fmt::format("{}: cannot read {}", op, quoted(path)));
  }
  // st_size is only a hint: the buffer grows if the file turns out longer.
  std::string bytes(static_cast<std::size_t>(std::max<off_t>(info.st_size, 0)), '\0');
  std::size_t filled = 0;
  for (;;) {
    if (filled == bytes.size()) bytes.resize(std::max<std::size_t>(2 * bytes.size(), 1 << 16));
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
  int raw_fd = -1;
  const std::filesystem::path temporary = create_temporary(op, path, raw_fd);
  FileDescriptor fd(raw_fd);
  RemoveUnlessKept guard{temporary};
  const auto fail = [&](int error, std::string_view action) {
    throw_os_error(error, fmt::format("{}: cannot {} {}", op, action, quoted(path)));
  };
  if (const int error = write_all(fd.get(), bytes)) fail(error, "write");
  if (::fsync(fd.get()) != 0) fail(errno, "flush to disk");
  if (const int error = fd.close()) fail(error, "write");
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail(errno, "replace");
  guard.kept = true;
  sync_directory(path.parent_path());
}

}  // namespace rnnkit::io::detail
