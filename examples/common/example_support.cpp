#include "example_support.h"

#include <fmt/format.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/runtime.h>
#ifdef RNNKIT_EXAMPLES_HAVE_MPI
#include <rnnkit/distributed/mpi_distribution.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace examples {
namespace {

std::filesystem::path history_path(const CommonOptions& options, std::string_view name) {
  return options.out_dir / fmt::format("{}_history.csv", name);
}

bool gnuplot_available() { return std::system("command -v gnuplot > /dev/null 2>&1") == 0; }

// The CSV's header names, in order.
std::vector<std::string> csv_columns(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  std::string header;
  std::getline(in, header);
  std::vector<std::string> columns;
  std::stringstream fields(header);
  for (std::string field; std::getline(fields, field, ',');) columns.push_back(field);
  return columns;
}

}  // namespace

void add_common_flags(CLI::App& app, CommonOptions& options) {
  app.add_option("--epochs", options.epochs, "Training epochs")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--batch-size", options.batch_size, "Samples per training step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "Seed of the data and of the weights")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "OpenMP threads (0: rnnkit's default)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--verbose", options.verbose, "Progress: 0 silent, 1 bar, 2 a line per epoch")
      ->capture_default_str()
      ->check(CLI::Range(0, 2));
  app.add_option("--out-dir", options.out_dir, "Where the history CSV, the plot and weights go")
      ->capture_default_str();
  app.add_flag("!--no-plot", options.plot, "Do not draw the training curves");
}

void add_distributed_flag(CLI::App& app, CommonOptions& options) {
  app.add_flag("--distributed", options.distributed,
               "Train data-parallel over MPI: run as mpirun -np N <example> --distributed");
}

void apply(const CommonOptions& options) {
  rnnkit::set_global_seed(options.seed);
  if (options.threads > 0) rnnkit::set_num_threads(options.threads);
  std::filesystem::create_directories(options.out_dir);
}

std::shared_ptr<rnnkit::models::Distribution> start_distribution(const CommonOptions& options) {
  if (!options.distributed) return nullptr;
#ifdef RNNKIT_EXAMPLES_HAVE_MPI
  return std::make_shared<rnnkit::distributed::MpiDistribution>();
#else
  throw std::runtime_error(
      "--distributed: rnnkit was built without MPI; install libopenmpi-dev and configure with "
      "-DRNNKIT_DISTRIBUTED=ON");
#endif
}

rnnkit::callbacks::CSVLogger history_csv(const CommonOptions& options, std::string_view name) {
  return rnnkit::callbacks::CSVLogger(history_path(options, name));
}

bool plot_history(const CommonOptions& options, std::string_view name, std::string_view title) {
  if (!options.plot) return false;
  if (!gnuplot_available()) {
    fmt::print("plot: gnuplot is not installed (apt-get install gnuplot-nox); no picture drawn\n");
    return false;
  }
  const std::filesystem::path csv = history_path(options, name);
  const std::filesystem::path png = options.out_dir / fmt::format("{}_curves.png", name);
  const std::vector<std::string> columns = csv_columns(csv);
  std::string plots;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] != "loss" && columns[i] != "val_loss") continue;
    // CSV epochs are 0-based; the picture counts from 1 as the progress bar does.
    plots += fmt::format("{}'{}' using ($1+1):{} with linespoints title '{}'",
                         plots.empty() ? "" : ", ", csv.string(), i + 1, columns[i]);
  }
  if (plots.empty()) return false;
  FILE* gnuplot = ::popen("gnuplot", "w");
  if (gnuplot == nullptr) {
    fmt::print("plot: could not start gnuplot; no picture drawn\n");
    return false;
  }
  fmt::print(gnuplot,
             "set terminal pngcairo noenhanced size 800,500\nset output '{}'\n"
             "set datafile separator ','\nset key autotitle columnhead\nset title '{}'\n"
             "set xlabel 'epoch'\n"
             "set ylabel 'loss'\nset logscale y\nset grid\nplot {}\n",
             png.string(), title, plots);
  const bool drawn = ::pclose(gnuplot) == 0;
  if (drawn) fmt::print("plot: training curves in {}\n", png.string());
  return drawn;
}

}  // namespace examples
