#define BOOST_TEST_MODULE distributed
// Data-parallel training over MPI. Run as one process and as `mpirun -np 2`: every rank trains
// the distributed model and, alone, a reference model on the whole batches, and the two must
// agree. Raw MPI calls (not the code under test) check that the ranks hold identical weights.
#include <mpi.h>
#include <rnnkit/callbacks/callbacks.h>
#include <rnnkit/distributed/mpi_distribution.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/masking.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using distributed::MpiDistribution;
using models::History;
using models::Sequential;
namespace data = boost::unit_test::data;

namespace {

std::shared_ptr<MpiDistribution>& mpi() {
  static std::shared_ptr<MpiDistribution> distribution;
  return distribution;
}

// MPI starts before the first test and ends after the last.
struct MpiFixture {
  MpiFixture() { mpi() = std::make_shared<MpiDistribution>(); }
  ~MpiFixture() { mpi().reset(); }
};
BOOST_TEST_GLOBAL_FIXTURE(MpiFixture);

int rank() { return mpi()->rank(); }
int size() { return mpi()->size(); }

// One training configuration; every one keeps the batches of the ranks uneven somewhere.
struct Case {
  std::string name;
  DType dtype = DType::f64;
  std::int64_t samples = 0;
  std::int64_t batch_size = 0;
  /// Masking, sequence outputs and regularization losses: the loss is a mean over the unmasked
  /// steps, which each rank holds a different number of.
  bool masked = false;
  losses::Reduction reduction = losses::Reduction::sum_over_batch_size;
  double rtol = 1e-6;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {.name = "f64, batches of 8", .samples = 24, .batch_size = 8},
      {.name = "f64, batches of 7 and a last of 2", .samples = 23, .batch_size = 7},
      {.name = "f64, a last batch of 1 (one rank has no rows)", .samples = 7, .batch_size = 3},
      {.name = "f64, masked and regularized", .samples = 21, .batch_size = 5, .masked = true},
      {.name = "f64, summed loss",
       .samples = 23,
       .batch_size = 7,
       .reduction = losses::Reduction::sum},
      {.name = "f32, batches of 7 and a last of 2",
       .dtype = DType::f32,
       .samples = 23,
       .batch_size = 7,
       .rtol = 1e-5},
      {.name = "f32, masked and regularized",
       .dtype = DType::f32,
       .samples = 21,
       .batch_size = 5,
       .masked = true,
       .rtol = 1e-5},
  };
  return all;
}

constexpr std::int64_t timesteps = 6;

struct Data {
  Tensor x;  // [n, 6, 2]
  Tensor y;  // [n, 1], or [n, 6, 2] when masked
};

// The same data on every rank (fixed seeds). Masked inputs end in a random number of all-zero
// (masked) steps.
Data make_data(const Case& c, std::int64_t samples, std::uint64_t seed) {
  Tensor x = testing::random_tensor({samples, timesteps, 2}, c.dtype, seed);
  if (!c.masked) {
    return {x, testing::random_tensor({samples, 1}, c.dtype, seed + 1)};
  }
  Generator generator(seed + 2);
  for (std::int64_t n = 0; n < samples; ++n) {
    const auto padding = static_cast<std::int64_t>(generator.uniform(0.0, 4.0));
    for (std::int64_t t = timesteps - padding; t < timesteps; ++t) {
      x.set({n, t, 0}, 0.0);
      x.set({n, t, 1}, 0.0);
    }
  }
  return {x, testing::random_tensor({samples, timesteps, 2}, c.dtype, seed + 1)};
}

// Built from the global seed `seed`, so rank 0's weights can be made again on every rank.
Sequential make_model(const Case& c, std::uint64_t seed) {
  Sequential model;
  if (c.masked) {
    model.add(layers::Masking({.dtype = c.dtype}));
    model.add(layers::SimpleRNN({.units = 4,
                                 .kernel_regularizer = "l2",
                                 .activity_regularizer = "l1",
                                 .return_sequences = true,
                                 .dtype = c.dtype}));
    model.add(layers::Dense({.units = 2, .dtype = c.dtype}));
  } else {
    model.add(layers::SimpleRNN({.units = 4, .dtype = c.dtype}));
    model.add(layers::Dense({.units = 1, .dtype = c.dtype}));
  }
  set_global_seed(seed);
  model.build({timesteps, 2});
  model.compile({.optimizer = optim::Adam({.learning_rate = 0.01}),
                 .loss = losses::MeanSquaredError({.reduction = c.reduction}),
                 .metrics = {"mae"}});
  return model;
}

constexpr std::uint64_t chief_seed = 7;

// The model of this rank: each draws different weights, which fit replaces by rank 0's.
Sequential distributed_model(const Case& c) {
  Sequential model = make_model(c, chief_seed + static_cast<std::uint64_t>(rank()));
  model.set_distribution(mpi());
  return model;
}

// Every weight within `rtol` of the reference, relative to the largest magnitude in its tensor
// (an element near zero, the difference of larger terms, carries their rounding).
void check_same_weights(const Sequential& model, const Sequential& reference, double rtol) {
  const std::vector<Tensor> weights = model.get_weights();
  const std::vector<Tensor> expected = reference.get_weights();
  BOOST_TEST_REQUIRE(weights.size() == expected.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    double largest = 0.0;
    for (double value : expected[i].to_vector()) largest = std::max(largest, std::abs(value));
    testing::check_close(weights[i], expected[i], rtol, rtol * largest);
  }
}

// Whether every rank holds bit-identical weights, by MPI_Allreduce MIN and MAX.
bool identical_on_every_rank(const Sequential& model) {
  for (const Tensor& weight : model.get_weights()) {
    std::vector<double> low = weight.to_vector();
    std::vector<double> high = low;
    MPI_Allreduce(MPI_IN_PLACE, low.data(), static_cast<int>(low.size()), MPI_DOUBLE, MPI_MIN,
                  MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, high.data(), static_cast<int>(high.size()), MPI_DOUBLE, MPI_MAX,
                  MPI_COMM_WORLD);
    if (low != high) return false;
  }
  return true;
}

void check_same_history(const History& history, const History& expected, double rtol) {
  BOOST_TEST(history.keys() == expected.keys(), boost::test_tools::per_element());
  for (const std::string& key : expected.keys()) {
    BOOST_TEST_CONTEXT(key) {
      BOOST_TEST(history.at(key) == expected.at(key), boost::test_tools::tolerance(rtol)
                                                          << boost::test_tools::per_element());
    }
  }
}

void check_same_logs(const models::Logs& logs, const models::Logs& expected, double rtol) {
  for (const auto& [name, value] : expected) {
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST(logs.at(name) == value, boost::test_tools::tolerance(rtol));
    }
  }
}

// A scratch directory every rank names alike (after rank 0's process id), removed afterwards.
struct SharedDirectory {
  std::filesystem::path path;
  SharedDirectory() {
    long id = ::getpid();
    MPI_Bcast(&id, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    path = std::filesystem::temp_directory_path() / ("rnnkit_distributed_" + std::to_string(id));
    if (rank() == 0) std::filesystem::create_directories(path);
    MPI_Barrier(MPI_COMM_WORLD);
  }
  ~SharedDirectory() {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank() == 0) std::filesystem::remove_all(path);
  }
};

// Counts the epochs it saw, on whichever rank it runs.
struct EpochCounter : callbacks::Callback {
  int epochs = 0;
  void on_epoch_end(int, models::Logs&) override { ++epochs; }
};

}  // namespace

BOOST_DATA_TEST_CASE(fit_equals_one_process_on_the_whole_batches, data::make(cases()), c) {
  const Data train = make_data(c, c.samples, 11);
  const Data validation = make_data(c, 9, 21);
  const models::FitOptions options{
      .batch_size = c.batch_size,
      .epochs = 3,
      .verbose = 0,
      .validation_data = models::ValidationData{validation.x, validation.y}};
  Sequential reference = make_model(c, chief_seed);
  set_global_seed(99);
  const History expected = reference.fit(train.x, train.y, options);

  Sequential model = distributed_model(c);
  set_global_seed(99);
  const History history = model.fit(train.x, train.y, options);

  check_same_weights(model, reference, c.rtol);
  check_same_history(history, expected, c.rtol);
  BOOST_TEST(identical_on_every_rank(model));
}

BOOST_AUTO_TEST_CASE(the_weights_of_rank_0_are_broadcast_at_the_start) {
  const Case c = cases().front();
  const Data train = make_data(c, c.samples, 11);
  Sequential model = distributed_model(c);
  const Sequential chief = make_model(c, chief_seed);
  BOOST_TEST(testing::same_values(model.get_weights(), chief.get_weights()) == (rank() == 0));
  model.fit(train.x, train.y, {.batch_size = c.batch_size, .epochs = 0, .verbose = 0});
  BOOST_TEST(testing::same_values(model.get_weights(), chief.get_weights()));
}

BOOST_AUTO_TEST_CASE(batch_steps_and_evaluate_equal_one_process) {
  const Case c = cases()[3];
  const Data data = make_data(c, 17, 31);
  const Tensor x_train = slice(data.x, 0, 0, 7);
  const Tensor y_train = slice(data.y, 0, 0, 7);
  const Tensor x_test = slice(data.x, 0, 7, 12);
  const Tensor y_test = slice(data.y, 0, 7, 12);
  Sequential reference = make_model(c, chief_seed);
  Sequential model = distributed_model(c);
  for (int step = 0; step < 3; ++step) {
    BOOST_TEST_CONTEXT("train_on_batch " << step) {
      check_same_logs(model.train_on_batch(x_train, y_train),
                      reference.train_on_batch(x_train, y_train), c.rtol);
    }
  }
  check_same_logs(model.test_on_batch(x_test, y_test), reference.test_on_batch(x_test, y_test),
                  c.rtol);
  check_same_logs(model.evaluate(data.x, data.y, {.batch_size = 5, .verbose = 0}),
                  reference.evaluate(data.x, data.y, {.batch_size = 5, .verbose = 0}), c.rtol);
  check_same_weights(model, reference, c.rtol);
  BOOST_TEST(identical_on_every_rank(model));
}

// With one sample, rank 1 trains on no rows in the model's very first step, so it never had
// gradients: it must still apply the summed ones.
BOOST_AUTO_TEST_CASE(a_rank_without_rows_in_the_first_step_still_updates) {
  const Case c = cases().front();
  const Data data = make_data(c, 1, 41);
  Sequential reference = make_model(c, chief_seed);
  Sequential model = distributed_model(c);
  for (int step = 0; step < 2; ++step) {
    BOOST_TEST_CONTEXT("train_on_batch " << step) {
      check_same_logs(model.train_on_batch(data.x, data.y),
                      reference.train_on_batch(data.x, data.y), c.rtol);
    }
  }
  check_same_weights(model, reference, c.rtol);
  BOOST_TEST(identical_on_every_rank(model));
}

BOOST_AUTO_TEST_CASE(only_rank_0_prints_progress_and_writes_files) {
  const Case c = cases().front();
  const Data train = make_data(c, c.samples, 11);
  const SharedDirectory directory;
  // Each rank names its own files, so a file shows which ranks wrote.
  const std::filesystem::path csv = directory.path / fmt::format("history_{}.csv", rank());
  const std::filesystem::path checkpoint = directory.path / fmt::format("model_{}.rnnkit", rank());
  auto counter = std::make_shared<EpochCounter>();
  std::ostringstream progress;
  Sequential model = distributed_model(c);
  model.fit(train.x, train.y,
            {.batch_size = c.batch_size,
             .epochs = 2,
             .verbose = 2,
             .callbacks = {callbacks::CSVLogger(csv),
                           callbacks::ModelCheckpoint(checkpoint.string()), counter},
             .output = &progress});
  const bool chief = rank() == 0;
  BOOST_TEST(progress.str().empty() == !chief);
  BOOST_TEST(std::filesystem::exists(csv) == chief);
  BOOST_TEST(std::filesystem::exists(checkpoint) == chief);
  BOOST_TEST(counter->epochs == 2);
}

BOOST_AUTO_TEST_CASE(every_rank_resumes_from_rank_0s_checkpoint) {
  const Case c = cases()[1];
  const Data train = make_data(c, c.samples, 11);
  const models::FitOptions options{
      .batch_size = c.batch_size, .epochs = 4, .verbose = 0, .shuffle = false};
  Sequential reference = make_model(c, chief_seed);
  reference.fit(train.x, train.y, options);

  const SharedDirectory directory;
  const std::filesystem::path checkpoint = directory.path / "checkpoint.rnnkit";
  Sequential first = distributed_model(c);
  models::FitOptions first_half = options;
  first_half.epochs = 2;
  first_half.callbacks = {callbacks::ModelCheckpoint(checkpoint.string())};
  first.fit(train.x, train.y, first_half);
  mpi()->barrier();

  Sequential resumed = models::load_model(checkpoint);
  resumed.set_distribution(mpi());
  models::FitOptions second_half = options;
  second_half.initial_epoch = 2;
  resumed.fit(train.x, train.y, second_half);
  check_same_weights(resumed, reference, c.rtol);
  BOOST_TEST(identical_on_every_rank(resumed));
}

BOOST_AUTO_TEST_CASE(a_different_model_on_one_rank_is_refused_on_every_rank) {
  if (size() < 2) return;
  const Case c = cases().front();
  const Data train = make_data(c, c.samples, 11);
  Sequential model;
  model.add(layers::SimpleRNN({.units = rank() == 0 ? 4 : 5, .dtype = c.dtype}));
  model.add(layers::Dense({.units = 1, .dtype = c.dtype}));
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.set_distribution(mpi());
  model.build({timesteps, 2});
  const std::vector<Tensor> before = model.get_weights();
  if (rank() == 0) {
    RNNKIT_CHECK_THROWS(model.fit(train.x, train.y, {.verbose = 0}), std::invalid_argument,
                        "fit: rank 1 of 2 is not set up as rank 0 is",
                        "every rank must build and compile the same model");
  } else {
    RNNKIT_CHECK_THROWS(model.fit(train.x, train.y, {.verbose = 0}), std::invalid_argument,
                        "fit: rank 1 of 2 is not set up as rank 0 is: rank 0 has \"layer 0:",
                        "\"units\":4", "\"units\":5");
  }
  BOOST_TEST(testing::same_values(model.get_weights(), before));
}

BOOST_AUTO_TEST_CASE(different_arguments_or_data_on_one_rank_are_refused) {
  if (size() < 2) return;
  const Case c = cases().front();
  const Data train = make_data(c, c.samples, 11);
  const Data other = make_data(c, c.samples, 12);
  Sequential model = distributed_model(c);
  RNNKIT_CHECK_THROWS(
      model.fit(train.x, train.y, {.batch_size = rank() == 0 ? 8 : 6, .verbose = 0}),
      std::invalid_argument, "is not set up as rank 0 is",
      rank() == 0 ? "rank 1 of 2" : "rank 0 has \"fit: batch_size 8");
  RNNKIT_CHECK_THROWS(model.fit(rank() == 0 ? train.x : other.x, train.y, {.verbose = 0}),
                      std::invalid_argument, "is not set up as rank 0 is",
                      rank() == 0 ? "rank 1 of 2" : "rank 0 has \"x: [24, 6, 2] float64 #");
}

BOOST_AUTO_TEST_CASE(stateful_layers_are_refused) {
  const Case c = cases().front();
  const Data train = make_data(c, 8, 11);
  Sequential model(layers::SimpleRNN({.units = 4, .stateful = true, .dtype = c.dtype}),
                   layers::Dense({.units = 1, .dtype = c.dtype}));
  model.build({timesteps, 2}, 4);
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.set_distribution(mpi());
  const std::vector<Tensor> before = model.get_weights();
  RNNKIT_CHECK_THROWS(model.fit(train.x, train.y, {.batch_size = 4, .verbose = 0}),
                      std::invalid_argument, "is stateful",
                      "stateful layers cannot train under a distribution");
  BOOST_TEST(testing::same_values(model.get_weights(), before));
}

BOOST_AUTO_TEST_CASE(a_negative_timeout_is_refused) {
  RNNKIT_CHECK_THROWS(MpiDistribution({.collective_timeout = std::chrono::milliseconds(-1)}),
                      std::invalid_argument, "collective_timeout must be >= 0 ms", "got -1 ms");
}

BOOST_AUTO_TEST_CASE(the_ranks_come_from_the_communicator) {
  int world_rank = 0;
  int world_size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  BOOST_TEST(rank() == world_rank);
  BOOST_TEST(size() == world_size);
}
