#pragma once

// A file-size limit for tests of writes that fail partway, as they do on a full disk.

#include <sys/resource.h>

#include <boost/test/unit_test.hpp>
#include <csignal>

namespace rnnkit::testing {

/// Lowers the size of file this process may write (RLIMIT_FSIZE binds root too) and ignores
/// SIGXFSZ, so that writing past it fails with EFBIG ("File too large") at the point where a full
/// disk fails with ENOSPC; both are restored on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    BOOST_TEST_REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_FSIZE, &lowered) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = SIG_DFL;
};

}  // namespace rnnkit::testing
