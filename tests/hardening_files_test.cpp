#define BOOST_TEST_MODULE hardening_files
// Untrusted files stay bounded (forged sizes, devices, FIFOs, directories, wrong JSON types,
// forged optimizer classes), saves leave no temporary files, and what a file cannot carry is
// said through rnnkit::warn.
#include <fcntl.h>
#include <rnnkit/framework/io.h>
#include <rnnkit/framework/messages.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adagrad.h>
#include <rnnkit/optim/adam.h>
#include <rnnkit/optim/rmsprop.h>
#include <rnnkit/optim/serialization.h>
#include <rnnkit/optim/sgd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::SimpleRNN;
using models::Sequential;
using testing::same_values;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    path =
        fs::temp_directory_path() / ("rnnkit_hardening_files_" + std::to_string(::getpid()) + "_" +
                                     std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

Sequential small_model(optim::AnyOptimizer optimizer = optim::Adam()) {
  Sequential model(SimpleRNN(4), Dense(1));
  model.build({5, 2});
  model.compile({.optimizer = std::move(optimizer), .loss = "mse"});
  return model;
}

/// A model that has taken a few Adam steps, so that its file holds Adam slots.
Sequential trained_model() {
  set_global_seed(3);
  Sequential model = small_model();
  model.fit(testing::random_tensor({8, 5, 2}, DType::f32, 1),
            testing::random_tensor({8, 1}, DType::f32, 2), {.batch_size = 4, .verbose = 0});
  return model;
}

/// Rewrites the archive at `path` with its metadata JSON edited by `edit` (a valid checksum).
void forge(const fs::path& path, const std::function<void(Config&)>& edit) {
  io::Archive archive = io::load_archive(path);
  Config metadata = Config::parse(archive.metadata);
  edit(metadata);
  archive.metadata = metadata.dump();
  io::save_archive(path, archive);
}

// AddressSanitizer reserves terabytes of shadow address space and aborts on a failed
// allocation, so an address-space cap means nothing there: the sanitizer build runs the forged
// files without it and leaves out the test whose premise is an allocation that fails.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool address_space_can_be_capped = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool address_space_can_be_capped = false;
#else
constexpr bool address_space_can_be_capped = true;
#endif
#else
constexpr bool address_space_can_be_capped = true;
#endif

/// Caps this process's address space at what it uses now plus `headroom` bytes while it lives,
/// so that an allocation the file does not justify fails instead of taking the machine's memory
/// (nothing under AddressSanitizer, see above).
class AddressSpaceLimit {
 public:
  explicit AddressSpaceLimit(std::uint64_t headroom) {
    if (!address_space_can_be_capped) return;
    ::getrlimit(RLIMIT_AS, &previous_);
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    statm >> pages;
    rlimit limit = previous_;
    limit.rlim_cur = pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) + headroom;
    ::setrlimit(RLIMIT_AS, &limit);
  }
  ~AddressSpaceLimit() {
    if (address_space_can_be_capped) ::setrlimit(RLIMIT_AS, &previous_);
  }
  AddressSpaceLimit(const AddressSpaceLimit&) = delete;
  AddressSpaceLimit& operator=(const AddressSpaceLimit&) = delete;

 private:
  rlimit previous_{};
};

constexpr std::uint64_t mebibyte = std::uint64_t{1} << 20;

/// Every warning the library sends while it lives.
class CapturedWarnings {
 public:
  CapturedWarnings() {
    set_message_sink([this](std::string_view message) {
      std::lock_guard lock(mutex_);
      messages_.emplace_back(message);
    });
  }
  ~CapturedWarnings() { set_message_sink(nullptr); }
  CapturedWarnings(const CapturedWarnings&) = delete;
  CapturedWarnings& operator=(const CapturedWarnings&) = delete;

  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
};

/// Runs `call` against the FIFO at `fifo`; should it still block after a few seconds, a writer
/// opens and closes the FIFO so that the call returns, and the test fails instead of hanging.
void within_deadline(const fs::path& fifo, const std::function<void()>& call) {
  std::mutex mutex;
  std::condition_variable done_changed;
  bool done = false;
  bool rescued = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (done_changed.wait_for(lock, std::chrono::seconds(10), [&] { return done; })) return;
    rescued = true;
    lock.unlock();
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  });
  call();
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  done_changed.notify_one();
  watchdog.join();
  BOOST_TEST(!rescued, "the call on the FIFO " << fifo << " blocked until a writer came");
}

/// The names in `dir` that contain ".tmp-".
std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp-") != std::string::npos) names.push_back(name);
  }
  return names;
}

/// The pid of a process that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

void touch(const fs::path& path) { std::ofstream(path) << "stale"; }

}  // namespace

BOOST_AUTO_TEST_CASE(forged_units_are_refused_before_anything_is_allocated) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  for (const std::int64_t units : {std::int64_t{30000}, std::int64_t{1} << 40}) {
    BOOST_TEST_CONTEXT("units " << units) {
      small_model().save(path);
      // layers[0] is the InputLayer, layers[1] the SimpleRNN.
      forge(path, [&](Config& metadata) {
        metadata["model_config"]["config"]["layers"][1]["config"]["units"] = units;
      });
      const std::string declared = "[2, " + std::to_string(units) + "]";
      const AddressSpaceLimit limit(512 * mebibyte);
      RNNKIT_CHECK_THROWS(models::load_model(path), std::invalid_argument, "load_model(",
                          "weight '", "/kernel:0'", "[2, 4]", declared);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_config_declaring_more_weights_than_the_file_holds_is_refused) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  Sequential model(SimpleRNN(4), Dense(1, {.use_bias = false}));
  model.build({5, 2});
  model.save(path);
  forge(path, [](Config& metadata) {
    metadata["model_config"]["config"]["layers"][2]["config"]["use_bias"] = true;
  });
  RNNKIT_CHECK_THROWS(models::load_model(path), std::invalid_argument, "load_model(",
                      "holds 4 weight tensors", "more");
}

BOOST_AUTO_TEST_CASE(load_model_takes_the_weights_from_the_file) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  const Sequential model = trained_model();
  model.save(path);
  const Sequential loaded = models::load_model(path);
  BOOST_TEST(same_values(loaded.get_weights(), model.get_weights()));
  BOOST_TEST(loaded.optimizer().iterations() == model.optimizer().iterations());
}

BOOST_AUTO_TEST_CASE(dev_zero_is_refused_as_a_character_device) {
  Sequential model = small_model();
  const std::vector<Tensor> before = model.get_weights();
  const AddressSpaceLimit limit(512 * mebibyte);
  RNNKIT_CHECK_THROWS(models::load_model("/dev/zero"), std::runtime_error, "\"/dev/zero\"",
                      "not a regular file", "character device");
  RNNKIT_CHECK_THROWS(model.load_weights("/dev/zero"), std::runtime_error, "\"/dev/zero\"",
                      "not a regular file", "character device");
  RNNKIT_CHECK_THROWS(io::load_archive("/dev/zero"), std::runtime_error, "not a regular file");
  BOOST_TEST(same_values(model.get_weights(), before));
}

BOOST_AUTO_TEST_CASE(a_fifo_without_a_writer_is_refused_without_blocking) {
  TempDir dir;
  const fs::path fifo = dir.path / "model.rnnkit";
  BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  Sequential model = small_model();
  const std::vector<Tensor> before = model.get_weights();
  within_deadline(fifo, [&] {
    RNNKIT_CHECK_THROWS(models::load_model(fifo), std::runtime_error, fifo.string(),
                        "not a regular file", "FIFO");
  });
  within_deadline(fifo, [&] {
    RNNKIT_CHECK_THROWS(model.load_weights(fifo), std::runtime_error, fifo.string(),
                        "not a regular file", "FIFO");
  });
  BOOST_TEST(same_values(model.get_weights(), before));
}

BOOST_AUTO_TEST_CASE(a_directory_is_refused_by_name) {
  TempDir dir;
  Sequential model = small_model();
  const std::vector<Tensor> before = model.get_weights();
  RNNKIT_CHECK_THROWS(models::load_model(dir.path), std::runtime_error, dir.path.string(),
                      "not a regular file", "directory");
  RNNKIT_CHECK_THROWS(model.load_weights(dir.path), std::runtime_error, dir.path.string(),
                      "not a regular file", "directory");
  BOOST_TEST(same_values(model.get_weights(), before));
}

BOOST_AUTO_TEST_CASE(a_file_too_large_for_memory_is_refused_by_size_not_bad_alloc,
                     *boost::unit_test::enable_if<address_space_can_be_capped>()) {
  TempDir dir;
  const fs::path path = dir.path / "big.rnnkit";
  constexpr std::int64_t elements = 32 * 1024 * 1024;  // 128 MiB of float32
  io::Archive archive;
  archive.groups.push_back({"weights", {{"big", Tensor::zeros({elements})}}});
  io::save_archive(path, archive);
  archive = {};
  const AddressSpaceLimit limit(64 * mebibyte);
  RNNKIT_CHECK_THROWS(io::load_archive(path), std::runtime_error, path.string(), "134217", "bytes");
}

BOOST_AUTO_TEST_CASE(load_weights_warns_when_the_file_optimizer_is_another_class) {
  TempDir dir;
  const fs::path path = dir.path / "weights.rnnkit";
  trained_model().save_weights(path, true);
  Sequential model = small_model(optim::SGD({.momentum = 0.5}));
  const CapturedWarnings warnings;
  model.load_weights(path);
  const std::vector<std::string> messages = warnings.messages();
  BOOST_TEST_REQUIRE(messages.size() == 1u);
  BOOST_TEST(messages[0].find("Adam") != std::string::npos, messages[0]);
  BOOST_TEST(messages[0].find("SGD") != std::string::npos, messages[0]);
  BOOST_TEST(messages[0].find(path.string()) != std::string::npos, messages[0]);
  BOOST_TEST(model.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(load_weights_of_the_same_optimizer_class_does_not_warn) {
  TempDir dir;
  const fs::path path = dir.path / "weights.rnnkit";
  const Sequential trained = trained_model();
  trained.save_weights(path, true);
  Sequential model = small_model();
  const CapturedWarnings warnings;
  model.load_weights(path);
  BOOST_TEST(warnings.messages().empty());
  BOOST_TEST(model.optimizer().iterations() == trained.optimizer().iterations());
}

BOOST_AUTO_TEST_CASE(save_warns_that_a_user_callable_loss_cannot_be_written) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  Sequential model(SimpleRNN(4), Dense(1));
  model.build({5, 2});
  model.compile({.optimizer = "adam", .loss = [](const Tensor& y_true, const Tensor& y_pred) {
                   return losses::mean_squared_error(y_true, y_pred);
                 }});
  {
    const CapturedWarnings warnings;
    model.save(path);
    const std::vector<std::string> messages = warnings.messages();
    BOOST_TEST_REQUIRE(messages.size() == 1u);
    BOOST_TEST(messages[0].find("loss 'custom'") != std::string::npos, messages[0]);
    BOOST_TEST(messages[0].find("uncompiled") != std::string::npos, messages[0]);
    BOOST_TEST(messages[0].find(path.string()) != std::string::npos, messages[0]);
  }
  BOOST_TEST(!models::load_model(path).compiled());
}

BOOST_AUTO_TEST_CASE(save_of_a_built_in_loss_and_optimizer_does_not_warn) {
  TempDir dir;
  const CapturedWarnings warnings;
  small_model().save(dir.path / "model.rnnkit");
  BOOST_TEST(warnings.messages().empty());
}

BOOST_AUTO_TEST_CASE(a_forged_optimizer_class_is_refused_and_changes_nothing) {
  TempDir dir;
  const fs::path path = dir.path / "weights.rnnkit";
  trained_model().save_weights(path, true);
  forge(path, [](Config& metadata) { metadata["optimizer"]["class_name"] = "SGD"; });

  Sequential uncompiled(SimpleRNN(4), Dense(1));
  uncompiled.build({5, 2});
  Sequential compiled = small_model();
  for (Sequential* model : {&uncompiled, &compiled}) {
    const std::vector<Tensor> before = model->get_weights();
    RNNKIT_CHECK_THROWS(model->load_weights(path), std::invalid_argument, "class SGD", "slot 'm'",
                        "momentum");
    BOOST_TEST(same_values(model->get_weights(), before));
  }
  // Nothing was kept for a later compile either.
  uncompiled.compile({.optimizer = optim::SGD({.momentum = 0.5}), .loss = "mse"});
  BOOST_TEST(uncompiled.optimizer().iterations() == 0);
  BOOST_TEST(compiled.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_built_in_optimizer_class_with_slots_is_refused_by_load_model) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  trained_model().save(path);
  forge(path, [](Config& metadata) { metadata["optimizer"]["class_name"] = "Adagrad"; });
  RNNKIT_CHECK_THROWS(models::load_model(path), std::invalid_argument, "class Adagrad", "slot 'm'",
                      "accumulator");
}

BOOST_AUTO_TEST_CASE(the_slot_names_of_each_optimizer_class_are_those_its_options_can_create) {
  const std::vector<std::pair<optim::AnyOptimizer, std::vector<std::string>>> cases{
      {optim::SGD({.momentum = 0.5}), {"momentum"}},
      {optim::Adam({.amsgrad = true}), {"m", "v", "vhat"}},
      {optim::RMSprop({.momentum = 0.5, .centered = true}), {"rms", "mg", "momentum"}},
      {optim::Adagrad(), {"accumulator"}}};
  for (const auto& [optimizer, expected] : cases) {
    BOOST_TEST_CONTEXT(optimizer->class_name()) {
      BOOST_TEST(optimizer->slot_names() == expected, boost::test_tools::per_element());
      const auto known = optim::slot_names_of_class(optimizer->class_name());
      BOOST_TEST_REQUIRE(known.has_value());
      BOOST_TEST(*known == expected, boost::test_tools::per_element());
    }
  }
  BOOST_TEST(!optim::slot_names_of_class("MyOptimizer").has_value());
}

BOOST_AUTO_TEST_CASE(json_type_errors_name_the_key) {
  TempDir dir;
  const fs::path path = dir.path / "weights.rnnkit";
  struct Case {
    std::function<void(Config&)> edit;
    std::string key;
  };
  const std::vector<Case> cases{
      {[](Config& m) { m["optimizer"]["iterations"] = "12"; }, "'iterations'"},
      {[](Config& m) { m["optimizer"]["class_name"] = 7; }, "'class_name'"},
      {[](Config& m) { m["layers"][0]["name"] = 1.5; }, "'name'"},
      {[](Config& m) { m["layers"][0]["weights"] = "kernel"; }, "'weights'"},
      {[](Config& m) { m["layers"] = Config::object(); }, "'layers'"}};
  Sequential model = small_model();
  const std::vector<Tensor> before = model.get_weights();
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.key) {
      trained_model().save_weights(path, true);
      forge(path, c.edit);
      RNNKIT_CHECK_THROWS(model.load_weights(path), std::runtime_error, path.string(), c.key);
      BOOST_TEST(same_values(model.get_weights(), before));
      BOOST_TEST(model.optimizer().iterations() == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(saves_leave_no_temporary_files) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  const Sequential model = small_model();
  model.save(path);
  model.save_weights(path);
  model.save(path);
  BOOST_TEST(temporaries(dir.path).empty(), temporaries(dir.path).size() << " left");
  BOOST_TEST(fs::is_regular_file(path));
}

BOOST_AUTO_TEST_CASE(a_save_removes_the_temporaries_of_dead_processes_only) {
  TempDir dir;
  const fs::path path = dir.path / "model.rnnkit";
  const std::string dead = std::to_string(dead_pid());
  const std::string alive = std::to_string(::getppid());
  const std::vector<std::string> kept{"model.rnnkit.tmp-" + alive + "-0",
                                      "model.rnnkit.tmp-" + dead + "-x", "model.rnnkit.tmp-" + dead,
                                      "other.rnnkit.tmp-" + dead + "-0", "model.rnnkit.tmp-abc-0"};
  const std::vector<std::string> removed{"model.rnnkit.tmp-" + dead + "-0",
                                         "model.rnnkit.tmp-" + dead + "-17"};
  for (const std::string& name : kept) touch(dir.path / name);
  for (const std::string& name : removed) touch(dir.path / name);
  small_model().save(path);
  for (const std::string& name : kept) BOOST_TEST(fs::exists(dir.path / name), name);
  for (const std::string& name : removed) BOOST_TEST(!fs::exists(dir.path / name), name);
}
