#pragma once

#include <rnnkit/models/logs.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rnnkit::models {
class Sequential;
}

namespace rnnkit::callbacks {

/// What fit() tells its callbacks about the run before it starts (Keras callback.params, plus the
/// names the epoch logs will hold).
struct TrainingParams {
  int epochs = 0;
  std::int64_t steps = 0;  ///< batches per epoch
  int verbose = 0;
  /// "loss", the metrics, "val_loss" and "val_<metric>" with validation data, then every
  /// callback's added_log_names().
  std::vector<std::string> log_names = {};
  /// False when a callback may add names it does not declare (added_log_names() is nothing).
  bool log_names_complete = true;
};

/// Base of every callback (Keras Callback): override the hooks you need. fit() hands each
/// callback the model before training (model()), then calls the hooks in Keras's order. Epochs
/// and batches are 0-based. The logs of a batch end hold the running means of the epoch so far;
/// the logs of an epoch end also hold the validation results ("val_loss", ...) and may be added
/// to (History records them after every callback ran).
class Callback {
 public:
  virtual ~Callback() = default;

  /// The model being trained; std::logic_error outside fit/evaluate/predict.
  models::Sequential& model() const;
  void set_model(models::Sequential* model) { model_ = model; }
  /// Whether, when the model trains under a Distribution, only the chief (rank 0) runs this
  /// callback (Keras's _chief_worker_only); true for the callbacks that write files.
  virtual bool chief_worker_only() const { return false; }
  /// Called by fit() on every callback before any on_train_begin (Keras set_params). A callback
  /// whose arguments cannot work with this run throws here, before anything has changed;
  /// overrides call this one.
  virtual void set_params(const TrainingParams& params) { params_ = params; }
  /// The last set_params() of fit().
  const TrainingParams& params() const { return params_; }
  /// The names this callback adds to the epoch logs in on_epoch_end, so that other callbacks
  /// may name them (LearningRateScheduler: "lr"); nothing, the default, when it does not say and
  /// may add any. The library's callbacks all say.
  virtual std::optional<std::vector<std::string>> added_log_names() const { return std::nullopt; }

  virtual void on_train_begin(const models::Logs& /*logs*/) {}
  virtual void on_train_end(const models::Logs& /*logs*/) {}
  virtual void on_epoch_begin(int /*epoch*/, const models::Logs& /*logs*/) {}
  virtual void on_epoch_end(int /*epoch*/, models::Logs& /*logs*/) {}
  virtual void on_train_batch_begin(std::int64_t /*batch*/, const models::Logs& /*logs*/) {}
  virtual void on_train_batch_end(std::int64_t /*batch*/, const models::Logs& /*logs*/) {}
  virtual void on_test_begin(const models::Logs& /*logs*/) {}
  virtual void on_test_end(const models::Logs& /*logs*/) {}
  virtual void on_test_batch_begin(std::int64_t /*batch*/, const models::Logs& /*logs*/) {}
  virtual void on_test_batch_end(std::int64_t /*batch*/, const models::Logs& /*logs*/) {}
  virtual void on_predict_begin(const models::Logs& /*logs*/) {}
  virtual void on_predict_end(const models::Logs& /*logs*/) {}
  virtual void on_predict_batch_begin(std::int64_t /*batch*/, const models::Logs& /*logs*/) {}
  virtual void on_predict_batch_end(std::int64_t /*batch*/, const models::Logs& /*logs*/) {}

 private:
  models::Sequential* model_ = nullptr;
  TrainingParams params_;
};

/// What fit's `callbacks` list holds: a callback moved in by value (`EarlyStopping({...})`), or
/// a shared pointer the caller keeps to inspect it afterwards.
class AnyCallback {
 public:
  template <std::derived_from<Callback> C>
  AnyCallback(C callback)  // NOLINT: implicit, so lists read `{EarlyStopping({...})}`
      : impl_(std::make_shared<C>(std::move(callback))) {}
  template <std::derived_from<Callback> C>
  AnyCallback(std::shared_ptr<C> callback)  // NOLINT
      : impl_(std::move(callback)) {
    if (!impl_) throw_null();
  }

  Callback& operator*() const { return *impl_; }
  Callback* operator->() const { return impl_.get(); }

 private:
  [[noreturn]] static void throw_null();
  std::shared_ptr<Callback> impl_;
};

}  // namespace rnnkit::callbacks
