// Run as `mpirun -np 2 distributed_fault <mode>`: both ranks train, and at the third batch rank 1
// fails as `mode` says: "exit" ends the process abruptly, "hang" stops answering, "throw" throws
// out of fit() and leaves main() as a program would on an error. Rank 0 must not wait forever:
// the job has to end, with a non-zero status, before rank 0 could print that it finished (see
// distributed/run_fault.cmake, which runs it).
#include <fmt/core.h>
#include <rnnkit/distributed/mpi_distribution.h>
#include <rnnkit/rnnkit.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using namespace rnnkit;

namespace {

class FailOnRank1 : public callbacks::Callback {
 public:
  FailOnRank1(std::string mode, int rank) : mode_(std::move(mode)), rank_(rank) {}

  void on_train_batch_end(std::int64_t batch, const models::Logs&) override {
    if (rank_ != 1 || batch != 2) return;
    fmt::print(stderr, "distributed_fault: rank 1 fails ({})\n", mode_);
    std::fflush(stderr);
    if (mode_ == "exit") std::_Exit(3);
    if (mode_ == "hang") std::this_thread::sleep_for(std::chrono::minutes(10));
    throw std::runtime_error("distributed_fault: rank 1 gives up");
  }

 private:
  std::string mode_;
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode != "exit" && mode != "hang" && mode != "throw") {
    fmt::print(stderr, "usage: distributed_fault exit|hang|throw\n");
    return 2;
  }
  auto mpi = std::make_shared<distributed::MpiDistribution>(
      distributed::MpiDistributionOptions{.collective_timeout = std::chrono::seconds(10)});
  try {
    set_global_seed(1);
    Generator generator(2);
    const Tensor x = Tensor::uniform({64, 5, 2}, -1.0, 1.0, generator);
    const Tensor y = Tensor::uniform({64, 1}, -1.0, 1.0, generator);
    models::Sequential model(layers::SimpleRNN(4), layers::Dense(1));
    model.compile({.optimizer = "adam", .loss = "mse"});
    model.set_distribution(mpi);
    model.fit(x, y,
              {.batch_size = 8,
               .epochs = 20,
               .verbose = 0,
               .callbacks = {FailOnRank1(mode, mpi->rank())}});
  } catch (const std::exception& error) {
    fmt::print(stderr, "distributed_fault: rank {}: {}\n", mpi->rank(), error.what());
    return 1;
  }
  fmt::print("distributed_fault: rank {} finished training\n", mpi->rank());
  return 0;
}
