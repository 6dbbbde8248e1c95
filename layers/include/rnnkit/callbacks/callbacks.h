#pragma once

#include <rnnkit/callbacks/callback.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/models/logs.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace rnnkit::callbacks {

/// Keras EarlyStopping arguments, in Keras order.
struct EarlyStoppingOptions {
  std::string monitor = "val_loss";
  double min_delta = 0.0;  ///< a change smaller than this is no improvement (sign ignored)
  int patience = 0;        ///< epochs without improvement before stopping
  int verbose = 0;         ///< 1: print a line when stopping
  /// "min", "max", or "auto" (max for names ending in "acc", "accuracy" or "auc").
  std::string mode = "auto";
  /// Training stops unless the monitored value improves on this one too.
  std::optional<double> baseline = std::nullopt;
  /// Restore the weights of the best epoch when training stops early. As in Keras 2, a run
  /// that ends at `epochs` without stopping early keeps the weights of its last epoch.
  bool restore_best_weights = false;
};

/// Keras EarlyStopping: stops training when `monitor` has not improved by min_delta for more
/// than `patience` epochs (never after the first epoch; an improving epoch never stops it, as
/// since Keras 2.11). A monitor missing from the logs prints a
/// warning naming the available ones and changes nothing.
class EarlyStopping : public Callback {
 public:
  /// std::invalid_argument for an unknown mode, a negative patience, or a NaN min_delta or
  /// baseline.
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  /// The epoch training was stopped after (0 if it was not stopped).
  int stopped_epoch() const { return stopped_epoch_; }
  /// The best monitored value seen.
  double best() const { return best_; }
  /// The epoch of best().
  int best_epoch() const { return best_epoch_; }

  std::optional<std::vector<std::string>> added_log_names() const override {
    return std::vector<std::string>{};
  }
  void on_train_begin(const models::Logs& logs) override;
  void on_epoch_end(int epoch, models::Logs& logs) override;
  void on_train_end(const models::Logs& logs) override;

 private:
  bool improves(double value, double reference) const;

  EarlyStoppingOptions options_;
  bool maximize_ = false;
  int wait_ = 0;
  int stopped_epoch_ = 0;
  int best_epoch_ = 0;
  double best_ = std::numeric_limits<double>::infinity();
  std::vector<Tensor> best_weights_;
};

/// Keras ModelCheckpoint arguments, in Keras order (save_freq is per epoch).
struct ModelCheckpointOptions {
  std::string monitor = "val_loss";
  int verbose = 0;
  bool save_best_only = false;     ///< save only when `monitor` improves
  bool save_weights_only = false;  ///< save_weights() instead of save()
  /// "min", "max", or "auto" (max for names containing "acc" or starting with "fmeasure").
  std::string mode = "auto";
};

/// Keras ModelCheckpoint: saves the model (or only its weights) after each epoch, or after the
/// epochs that improve `monitor`. `filepath` may name the epoch (1-based) and any log value as
/// fmt fields, e.g. "ckpt-{epoch:02d}-{val_loss:.3f}.rnnkit"; fit() refuses a filepath that
/// names a value its logs will not hold or has a bad format spec before training starts.
class ModelCheckpoint : public Callback {
 public:
  /// std::invalid_argument for an empty filepath or an unknown mode.
  explicit ModelCheckpoint(std::string filepath, ModelCheckpointOptions options = {});

  /// The best monitored value seen (save_best_only).
  double best() const { return best_; }
  /// The path written last (empty before the first save).
  const std::filesystem::path& last_saved() const { return last_saved_; }

  bool chief_worker_only() const override { return true; }
  /// std::invalid_argument unless the filepath formats with the epoch and params.log_names.
  void set_params(const TrainingParams& params) override;
  std::optional<std::vector<std::string>> added_log_names() const override {
    return std::vector<std::string>{};
  }
  void on_epoch_end(int epoch, models::Logs& logs) override;

 private:
  std::string filepath_;
  ModelCheckpointOptions options_;
  bool maximize_ = false;
  double best_ = std::numeric_limits<double>::infinity();
  std::filesystem::path last_saved_;
};

/// Keras TerminateOnNaN: stops training as soon as a batch's loss is NaN or infinite, printing
/// which epoch and batch. Unlike Keras, fit() then skips that batch's update, so the model keeps
/// the weights and optimizer state of the last step whose loss was finite.
class TerminateOnNaN : public Callback {
 public:
  std::optional<std::vector<std::string>> added_log_names() const override {
    return std::vector<std::string>{};
  }
  void on_epoch_begin(int epoch, const models::Logs& logs) override;
  void on_train_batch_end(std::int64_t batch, const models::Logs& logs) override;

 private:
  int epoch_ = 0;
};

/// Keras CSVLogger arguments.
struct CSVLoggerOptions {
  char separator = ',';  ///< any character but a newline, a carriage return and '"'
  bool append = false;   ///< keep an existing file and add rows (no second header)
};

/// Keras CSVLogger: one row per epoch, "epoch" then every logged name in sorted order; each
/// row is flushed as it is written. A file that cannot be opened, written or flushed (a missing
/// directory, a full disk) throws std::system_error naming the file and the OS reason.
class CSVLogger : public Callback {
 public:
  /// std::invalid_argument for an empty filename or a separator that breaks rows.
  explicit CSVLogger(std::filesystem::path filename, CSVLoggerOptions options = {});

  bool chief_worker_only() const override { return true; }
  std::optional<std::vector<std::string>> added_log_names() const override {
    return std::vector<std::string>{};
  }
  void on_train_begin(const models::Logs& logs) override;
  void on_epoch_end(int epoch, models::Logs& logs) override;
  void on_train_end(const models::Logs& logs) override;

 private:
  std::filesystem::path filename_;
  CSVLoggerOptions options_;
  std::ofstream file_;
  std::vector<std::string> keys_;
  bool header_written_ = false;
};

/// Keras LearningRateScheduler: at each epoch's start sets the optimizer's learning rate to
/// schedule(epoch, current learning rate); each epoch's logs get "lr".
class LearningRateScheduler : public Callback {
 public:
  using Schedule = std::function<double(int epoch, double learning_rate)>;
  explicit LearningRateScheduler(Schedule schedule, int verbose = 0);

  /// std::logic_error when the optimizer's learning rate is a schedule.
  void set_params(const TrainingParams& params) override;
  std::optional<std::vector<std::string>> added_log_names() const override {
    return std::vector<std::string>{"lr"};
  }
  void on_epoch_begin(int epoch, const models::Logs& logs) override;
  void on_epoch_end(int epoch, models::Logs& logs) override;

 private:
  Schedule schedule_;
  int verbose_ = 0;
};

}  // namespace rnnkit::callbacks
