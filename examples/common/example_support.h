#pragma once

// What every example trainer shares: the common command-line flags, the per-epoch CSV and the
// training-curve picture.

#include <rnnkit/callbacks/callbacks.h>
#include <rnnkit/models/distribution.h>
#include <rnnkit/models/logs.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace examples {

/// Flags every example takes.
struct CommonOptions {
  int epochs = 0;               ///< each example sets its own default before parsing
  std::int64_t batch_size = 0;  ///< likewise
  std::uint64_t seed = 42;
  int threads = 0;                      ///< 0: rnnkit's default
  int verbose = 1;                      ///< Keras's fit verbosity: 0, 1 or 2
  std::filesystem::path out_dir = ".";  ///< where the CSV, the plot and weights go
  bool plot = true;
  bool distributed = false;  ///< --distributed, for the examples that call add_distributed_flag
};

/// Registers --epochs, --batch-size, --seed, --threads, --verbose, --out-dir and --no-plot.
void add_common_flags(CLI::App& app, CommonOptions& options);

/// Registers --distributed: train data-parallel over MPI, one rank per process of
/// `mpirun -np N <example> --distributed`.
void add_distributed_flag(CLI::App& app, CommonOptions& options);

/// Seeds rnnkit, sets the thread count and creates out_dir; call after parsing.
void apply(const CommonOptions& options);

/// With --distributed, starts MPI and returns the distribution to hand to
/// Sequential::set_distribution(); otherwise null (one process). Throws std::runtime_error when
/// rnnkit was built without rnnkit::distributed.
std::shared_ptr<rnnkit::models::Distribution> start_distribution(const CommonOptions& options);

/// A CSVLogger writing `<out_dir>/<name>_history.csv`.
rnnkit::callbacks::CSVLogger history_csv(const CommonOptions& options, std::string_view name);

/// One training run on a picture: the history CSV that history_csv(options, name) wrote, its
/// curves titled with `label` (empty when the picture has one run).
struct PlottedRun {
  std::string name = "";
  std::string label = "";
};

/// What plot_history draws.
struct PlotOptions {
  std::string title = "";
  std::vector<PlottedRun> runs = {};  ///< empty: the one run named like the picture
  double loss_scale = 1.0;            ///< the loss is drawn times this (nats to bits: 1 / ln 2)
  std::string loss_label = "loss";    ///< the loss axis's label
};

/// Draws loss and val_loss per epoch of every run into `<out_dir>/<name>_curves.png` with
/// gnuplot, and below them accuracy and val_accuracy when the runs logged them; each panel's
/// y-range fits its data (logarithmic when the values span more than a factor of 20). When
/// gnuplot is absent, or --no-plot was given, prints why no picture was drawn and returns false.
bool plot_history(const CommonOptions& options, std::string_view name, const PlotOptions& plot);

}  // namespace examples
