#define BOOST_TEST_MODULE crash_safety
#include <fcntl.h>
#include <poll.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "file_size_limit.h"
#include "reliability/checkpoint_state.h"
#include "test_support.h"

using namespace rnnkit;
using models::Sequential;
using testing::checkpoint_state;
using testing::CheckpointState;
using testing::FileSizeLimit;
namespace data = boost::unit_test::data;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct ScratchDir {
  ScratchDir() {
    dir = fs::temp_directory_path() / ("rnnkit_crash_safety_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  /// The names in the directory, apart from `except`.
  std::set<std::string> entries_except(const std::string& except) const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().filename() != except) names.insert(entry.path().filename().string());
    }
    return names;
  }

  fs::path dir;
};

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// checkpoint_writer running with its stdout on a pipe that this process reads line by line. It
/// is SIGKILLed when this process dies, and by the destructor if still running.
class WriterProcess {
 public:
  explicit WriterProcess(const fs::path& checkpoint) {
    const std::string program = RNNKIT_CHECKPOINT_WRITER;
    const std::string argument = checkpoint.string();
    char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(argument.c_str()),
                    nullptr};
    int pipe_fds[2];
    BOOST_TEST_REQUIRE(::pipe2(pipe_fds, O_CLOEXEC) == 0);
    pid_ = ::fork();
    BOOST_TEST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      ::execv(argv[0], argv);
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    read_fd_ = pipe_fds[0];
  }
  ~WriterProcess() {
    if (pid_ > 0) kill_and_wait();
    ::close(read_fd_);
  }
  WriterProcess(const WriterProcess&) = delete;
  WriterProcess& operator=(const WriterProcess&) = delete;

  pid_t pid() const { return pid_; }
  /// The complete lines read so far.
  const std::vector<std::string>& lines() const { return lines_; }

  /// Reads until `line` has arrived (true) or the pipe closes or `deadline` passes (false).
  bool read_until_line(const std::string& line, Clock::time_point deadline) {
    while (std::find(lines_.begin(), lines_.end(), line) == lines_.end()) {
      if (!readable_before(deadline) || !read_some()) return false;
    }
    return true;
  }

  /// Reads whatever arrives until `deadline` or the end of the pipe.
  void read_until(Clock::time_point deadline) {
    while (readable_before(deadline) && read_some()) {
    }
  }

  /// SIGKILLs the writer, reaps it, reads the pipe to its end and returns the wait status.
  int kill_and_wait() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    while (read_some()) {
    }
    return status;
  }

 private:
  bool readable_before(Clock::time_point deadline) const {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd fd{.fd = read_fd_, .events = POLLIN, .revents = 0};
      // poll() takes milliseconds: round up, so that a short wait is not a busy loop.
      const int ready = ::poll(&fd, 1, static_cast<int>((left + 999) / 1000));
      if (ready < 0 && errno == EINTR) continue;
      BOOST_TEST_REQUIRE(ready >= 0);
      if (ready > 0) return true;
    }
  }

  /// One read() into the line buffer; false at the end of the pipe.
  bool read_some() {
    char buffer[4096];
    ssize_t count = 0;
    do {
      count = ::read(read_fd_, buffer, sizeof buffer);
    } while (count < 0 && errno == EINTR);
    if (count <= 0) return false;
    partial_.append(buffer, static_cast<std::size_t>(count));
    for (std::size_t end = partial_.find('\n'); end != std::string::npos;
         end = partial_.find('\n')) {
      lines_.push_back(partial_.substr(0, end));
      partial_.erase(0, end + 1);
    }
    return true;
  }

  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::string partial_;
  std::vector<std::string> lines_;
};

/// What one writer run announced: the last checkpoint whose save returned, and the one whose save
/// had begun but not returned when the writer died (if any).
struct Announced {
  std::optional<CheckpointState> saved;
  std::optional<CheckpointState> being_written;
  std::int64_t first_iterations = 0;
  int saves = 0;
};

Announced replay(const std::vector<std::string>& lines) {
  Announced announced;
  const std::string writing = "writing ";
  for (const std::string& line : lines) {
    if (line == "saved") {
      BOOST_TEST_REQUIRE(announced.being_written.has_value(), "\"saved\" without \"writing\"");
      announced.saved = std::move(announced.being_written);
      announced.being_written.reset();
      ++announced.saves;
      continue;
    }
    BOOST_TEST_REQUIRE(line.starts_with(writing), "unexpected line \"" << line << "\"");
    CheckpointState state = testing::checkpoint_state_from_text(line.substr(writing.size()));
    if (announced.saved) {
      // Every save holds new weights, so each state on disk names exactly one save.
      BOOST_TEST_REQUIRE(state.iterations == announced.saved->iterations + 1);
      BOOST_TEST_REQUIRE((state.weight_bits != announced.saved->weight_bits));
    } else {
      announced.first_iterations = state.iterations;
    }
    announced.being_written = std::move(state);
  }
  return announced;
}

Sequential trained_model() {
  set_global_seed(3);
  Sequential model(layers::SimpleRNN(16), layers::Dense(1));
  model.build({6, 3});
  model.compile({.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse"});
  model.train_on_batch(testing::random_tensor({8, 6, 3}, DType::f32, 1),
                       testing::random_tensor({8, 1}, DType::f32, 2));
  return model;
}

void save_as(const std::string& kind, const Sequential& model, const fs::path& path) {
  if (kind == "save") {
    model.save(path);
  } else {
    model.save_weights(path, true);
  }
}

CheckpointState loaded_state(const std::string& kind, const fs::path& path) {
  if (kind == "save") return checkpoint_state(models::load_model(path));
  Sequential model = trained_model();
  model.load_weights(path);
  return checkpoint_state(model);
}

const std::vector<std::string> save_kinds{"save", "save_weights"};

}  // namespace

// The writer saves in a loop and is SIGKILLed at a random moment, again and again in one
// directory, each run resuming from what the last one left. The kill can land anywhere in a save
// (before, during or after the write, the fsync, the rename), so the file on disk must be one of
// the two states the announcements allow: the last save that returned, or the next one, whose
// rename may have happened before the kill but after the last announcement.
BOOST_FIXTURE_TEST_CASE(a_writer_killed_at_random_leaves_a_complete_checkpoint, ScratchDir) {
  constexpr int kills = 60;
  constexpr int max_delay_us = 25'000;
  const std::string name = "model.rnnkit";
  const fs::path checkpoint = dir / name;
  std::mt19937 random(20240601);
  std::uniform_int_distribution<int> delay_us(0, max_delay_us);
  std::optional<CheckpointState> on_disk;
  int saves = 0;
  int interrupted_saves = 0;
  int renamed_unannounced = 0;
  for (int run = 0; run < kills; ++run) {
    BOOST_TEST_CONTEXT("run " << run) {
      WriterProcess writer(checkpoint);
      BOOST_TEST_REQUIRE(writer.read_until_line("saved", Clock::now() + std::chrono::seconds(60)),
                         "the writer did not complete a first save");
      writer.read_until(Clock::now() + std::chrono::microseconds(delay_us(random)));
      const pid_t pid = writer.pid();
      const int status = writer.kill_and_wait();
      BOOST_TEST_REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                         "the writer ended by itself (status " << status << ")");

      const Announced announced = replay(writer.lines());
      BOOST_TEST_REQUIRE(announced.saved.has_value());
      // It resumed from exactly the checkpoint the last run left.
      BOOST_TEST(announced.first_iterations == (on_disk ? on_disk->iterations : 0) + 1);
      const CheckpointState loaded = checkpoint_state(models::load_model(checkpoint));
      BOOST_TEST((loaded == *announced.saved ||
                  (announced.being_written && loaded == *announced.being_written)),
                 "the checkpoint holds iterations " << loaded.iterations << ", not the last saved "
                                                    << announced.saved->iterations
                                                    << " or the one being written");
      on_disk = loaded;
      saves += announced.saves;
      if (announced.being_written && loaded == *announced.being_written) ++renamed_unannounced;

      // Saves write through a file without a name, so a kill leaves a named temporary only
      // between linking it and renaming it; each run's first save removes those of dead runs.
      const std::set<std::string> now = entries_except(name);
      BOOST_TEST(now.size() <= 1u, now.size() << " temporaries left");
      for (const std::string& file : now) {
        BOOST_TEST(file.starts_with(fmt::format("{}.tmp-{}-", name, pid)), file);
      }
      interrupted_saves += static_cast<int>(now.size());
    }
  }
  BOOST_TEST_MESSAGE(fmt::format(
      "{} kills after {} completed saves: {} left a temporary, {} came after a rename but before "
      "its announcement",
      kills, saves, interrupted_saves, renamed_unannounced));

  // A save after the last kill leaves nothing but the checkpoint.
  Sequential model = models::load_model(checkpoint);
  model.train_on_batch(testing::random_tensor({8, 6, 3}, DType::f32, 5),
                       testing::random_tensor({8, 1}, DType::f32, 6));
  model.save(checkpoint);
  BOOST_TEST((checkpoint_state(models::load_model(checkpoint)) == checkpoint_state(model)));
  BOOST_TEST(entries_except(name).empty(), entries_except(name).size() << " temporaries left");
}

// A save that cannot write every byte (the disk fills up) throws, naming the file and the OS
// error, and leaves the previous checkpoint byte for byte and no temporary file.
BOOST_DATA_TEST_CASE_F(ScratchDir, a_save_that_runs_out_of_space_keeps_the_previous_checkpoint,
                       data::make(save_kinds), kind) {
  const std::string name = "model.rnnkit";
  const fs::path checkpoint = dir / name;
  Sequential model = trained_model();
  save_as(kind, model, checkpoint);
  const std::string previous = read_bytes(checkpoint);
  const CheckpointState previous_state = checkpoint_state(model);

  model.train_on_batch(testing::random_tensor({8, 6, 3}, DType::f32, 3),
                       testing::random_tensor({8, 1}, DType::f32, 4));
  const fs::path probe = dir / "probe.rnnkit";
  save_as(kind, model, probe);
  const std::string next = read_bytes(probe);
  fs::remove(probe);
  BOOST_TEST_REQUIRE((next != previous));

  const std::vector<rlim_t> limits{0, 20, next.size() / 2, next.size() - 1};
  for (const rlim_t limit : limits) {
    BOOST_TEST_CONTEXT("file size limit " << limit << " of the " << next.size() << " bytes") {
      std::optional<std::system_error> error;
      {
        FileSizeLimit full_disk(limit);
        try {
          save_as(kind, model, checkpoint);
        } catch (const std::system_error& thrown) {
          error = thrown;
        }
      }
      BOOST_TEST_REQUIRE(error.has_value(), "the save did not throw std::system_error");
      BOOST_TEST((error->code() == std::errc::file_too_large));
      const std::string message = error->what();
      BOOST_TEST(message.find(checkpoint.string()) != std::string::npos, message);
      BOOST_TEST(message.find("File too large") != std::string::npos, message);
      BOOST_TEST((read_bytes(checkpoint) == previous));
      BOOST_TEST(entries_except(name).empty());
      BOOST_TEST((loaded_state(kind, checkpoint) == previous_state));
    }
  }

  // The limits above were what failed: at exactly the file's size the same save succeeds.
  {
    FileSizeLimit exact(next.size());
    save_as(kind, model, checkpoint);
  }
  BOOST_TEST((read_bytes(checkpoint) == next));
  BOOST_TEST(entries_except(name).empty());
}
