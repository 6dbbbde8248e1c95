#include "example_support.h"

#include <fmt/format.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/runtime.h>
#ifdef RNNKIT_EXAMPLES_HAVE_MPI
#include <rnnkit/distributed/mpi_distribution.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
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

// A history CSV: its header's column names and every row's values (NaN where not a number).
struct History {
  std::filesystem::path path;
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};

History read_history(const std::filesystem::path& csv) {
  History history{.path = csv, .columns = {}, .rows = {}};
  std::ifstream in(csv);
  std::string line;
  for (bool header = true; std::getline(in, line); header = false) {
    std::stringstream fields(line);
    std::vector<double> row;
    for (std::string field; std::getline(fields, field, ',');) {
      if (header) {
        history.columns.push_back(field);
      } else {
        char* end = nullptr;
        const double value = std::strtod(field.c_str(), &end);
        row.push_back(end != field.c_str() ? value : std::nan(""));
      }
    }
    if (!header) history.rows.push_back(std::move(row));
  }
  return history;
}

// One panel of the picture: a quantity (loss or accuracy) and its validation twin.
struct Panel {
  std::string column;
  std::string label;
  double scale = 1.0;
};

// gnuplot's commands for one panel: a y-range around every run's finite values (whole decades
// would leave the curves a sliver of the picture), and a line per run and column.
std::string panel_commands(const std::vector<History>& histories,
                           const std::vector<PlottedRun>& runs, const Panel& panel) {
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  std::string plots;
  for (std::size_t r = 0; r < histories.size(); ++r) {
    for (const std::string& column : {panel.column, "val_" + panel.column}) {
      const auto found = std::ranges::find(histories[r].columns, column);
      if (found == histories[r].columns.end()) continue;
      const auto index = static_cast<std::size_t>(found - histories[r].columns.begin());
      for (const auto& row : histories[r].rows) {
        const double value = index < row.size() ? row[index] * panel.scale : std::nan("");
        if (std::isfinite(value)) {
          low = std::min(low, value);
          high = std::max(high, value);
        }
      }
      const std::string set = column == panel.column ? "training" : "validation";
      const std::string title = runs[r].label.empty() ? set : runs[r].label + ", " + set;
      // CSV epochs are 0-based; the picture counts from 1 as the progress bar does.
      // One colour per run; validation dashed.
      plots += fmt::format(
          "{}'{}' using ($1+1):(${}*{}) with linespoints linecolor {} dashtype {} title '{}'",
          plots.empty() ? "" : ", ", histories[r].path.string(), index + 1, panel.scale, r + 1,
          column == panel.column ? 1 : 2, title);
    }
  }
  if (plots.empty() || !(low <= high)) return "";
  const bool logarithmic = low > 0.0 && high / low > 20.0;
  std::string range;
  if (logarithmic) {
    const double margin = std::pow(high / low, 0.05);
    range = fmt::format("set logscale y\nset yrange [{}:{}]\n", low / margin, high * margin);
  } else {
    const double margin = high > low ? 0.05 * (high - low) : std::max(0.05 * std::abs(high), 1e-3);
    range = fmt::format("unset logscale y\nset yrange [{}:{}]\n", low - margin, high + margin);
  }
  return fmt::format("set ylabel '{}'\n{}plot {}\n", panel.label, range, plots);
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

bool plot_history(const CommonOptions& options, std::string_view name, const PlotOptions& plot) {
  if (!options.plot) return false;
  if (!gnuplot_available()) {
    fmt::print("plot: gnuplot is not installed (apt-get install gnuplot-nox); no picture drawn\n");
    return false;
  }
  const std::vector<PlottedRun> runs =
      plot.runs.empty() ? std::vector<PlottedRun>{{std::string(name), ""}} : plot.runs;
  std::vector<History> histories;
  for (const PlottedRun& run : runs)
    histories.push_back(read_history(history_path(options, run.name)));
  const std::string loss = panel_commands(
      histories, runs, {.column = "loss", .label = plot.loss_label, .scale = plot.loss_scale});
  const std::string accuracy =
      panel_commands(histories, runs, {.column = "accuracy", .label = "accuracy", .scale = 1.0});
  if (loss.empty()) return false;
  FILE* gnuplot = ::popen("gnuplot", "w");
  if (gnuplot == nullptr) {
    fmt::print("plot: could not start gnuplot; no picture drawn\n");
    return false;
  }
  const std::filesystem::path png = options.out_dir / fmt::format("{}_curves.png", name);
  fmt::print(gnuplot,
             "set terminal pngcairo noenhanced size 800,{}\nset output '{}'\n"
             "set datafile separator ','\nset grid\nset key below\n"
             "set xlabel 'epoch'\n",
             accuracy.empty() ? 500 : 800, png.string());
  // Whole epochs only: gnuplot would put tics at 1.5, 2.5, ... on a short run.
  const std::size_t epochs = histories.front().rows.size();
  if (epochs <= 20) fmt::print(gnuplot, "set xtics 1\n");
  if (accuracy.empty()) {
    fmt::print(gnuplot, "set title '{}'\n{}", plot.title, loss);
  } else {
    fmt::print(gnuplot, "set multiplot layout 2,1 title '{}'\n{}{}unset multiplot\n", plot.title,
               loss, accuracy);
  }
  const bool drawn = ::pclose(gnuplot) == 0;
  if (drawn) fmt::print("plot: training curves in {}\n", png.string());
  return drawn;
}

}  // namespace examples
