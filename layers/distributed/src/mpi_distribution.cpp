#include "rnnkit/distributed/mpi_distribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string_view>

#include "collective_watchdog.h"

namespace rnnkit::distributed {
namespace {

using detail::CollectiveWatchdog;

// MPI counts are ints: `call(pointer, count)` for each run of at most INT_MAX elements.
template <class T, class Call>
void in_chunks(std::span<T> values, Call call) {
  constexpr auto most = static_cast<std::size_t>(std::numeric_limits<int>::max());
  for (std::size_t offset = 0; offset < values.size(); offset += most) {
    call(values.data() + offset, static_cast<int>(std::min(most, values.size() - offset)));
  }
}

}  // namespace

MpiDistribution::MpiDistribution(MpiDistributionOptions options) {
  if (options.collective_timeout.count() < 0) {
    throw std::invalid_argument(fmt::format(
        "MpiDistribution: collective_timeout must be >= 0 ms (0 waits forever), got {} ms",
        options.collective_timeout.count()));
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) {
    throw std::logic_error(
        "MpiDistribution: MPI was already finalized in this process and cannot start again");
  }
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    owns_mpi_ = true;
  }
  check(MPI_Comm_rank(options.communicator, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(options.communicator, &size_), "MPI_Comm_size");
  if (options.collective_timeout.count() > 0) {
    watchdog_ = std::make_unique<CollectiveWatchdog>(options.collective_timeout, rank_, size_);
  }
  {
    const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Comm_dup");
    check(MPI_Comm_dup(options.communicator, &communicator_), "MPI_Comm_dup");
  }
  check(MPI_Comm_set_errhandler(communicator_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

MpiDistribution::~MpiDistribution() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) {
    {
      const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Comm_free");
      MPI_Comm_free(&communicator_);
    }
    if (owns_mpi_) {
      const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Finalize");
      MPI_Finalize();
    }
  }
}

void MpiDistribution::broadcast(std::span<std::byte> bytes) {
  const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Bcast");
  in_chunks(bytes, [this](std::byte* data, int count) {
    check(MPI_Bcast(data, count, MPI_BYTE, 0, communicator_), "MPI_Bcast");
  });
}

void MpiDistribution::all_reduce_sum(std::span<float> values) {
  const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Allreduce");
  in_chunks(values, [this](float* data, int count) {
    check(MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, communicator_),
          "MPI_Allreduce");
  });
}

void MpiDistribution::all_reduce_sum(std::span<double> values) {
  const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Allreduce");
  in_chunks(values, [this](double* data, int count) {
    check(MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_DOUBLE, MPI_SUM, communicator_),
          "MPI_Allreduce");
  });
}

void MpiDistribution::barrier() {
  const CollectiveWatchdog::Watch watch(watchdog_.get(), "MPI_Barrier");
  check(MPI_Barrier(communicator_), "MPI_Barrier");
}

void MpiDistribution::check(int code, const char* call) const {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(fmt::format("rnnkit::distributed: {} failed on rank {} of {}: {}", call,
                                       rank_, size_, std::string_view(text, length)));
}

}  // namespace rnnkit::distributed
