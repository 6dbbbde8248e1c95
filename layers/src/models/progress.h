#pragma once

#include <rnnkit/callbacks/callback.h>
#include <rnnkit/models/logs.h>

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rnnkit::models::detail {

/// Keras's Progbar: "12/40 [=======>......................] - ETA: 3s - loss: 0.1234". On a
/// terminal (`live`) the bar is redrawn in place at most every 50 ms; otherwise it writes plain
/// lines, at most one every few seconds, and always the final one.
class ProgressBar {
 public:
  /// `verbose` 1: the bar; 2: only a one-line summary when finished. `target`: the step count.
  ProgressBar(std::ostream& out, int verbose, bool live, std::int64_t target);
  /// Shows `current` steps done with `logs`; `finished` writes the final line.
  void update(std::int64_t current, const Logs& logs, bool finished);

 private:
  using Clock = std::chrono::steady_clock;
  std::string bar(std::int64_t current) const;

  std::ostream& out_;
  int verbose_;
  bool live_;
  std::int64_t target_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_update_ = Clock::now();
  std::size_t last_width_ = 0;
};

/// Keras's ProgbarLogger: the "Epoch i/n" header and a ProgressBar per epoch of fit (or per
/// evaluate/predict run), driven by the callback hooks.
class ProgressLogger : public callbacks::Callback {
 public:
  ProgressLogger(std::ostream& out, int verbose, int epochs, std::int64_t steps);

  std::optional<std::vector<std::string>> added_log_names() const override {
    return std::vector<std::string>{};
  }
  void on_epoch_begin(int epoch, const Logs& logs) override;
  void on_train_batch_end(std::int64_t batch, const Logs& logs) override;
  void on_epoch_end(int epoch, Logs& logs) override;
  void on_test_begin(const Logs& logs) override;
  void on_test_batch_end(std::int64_t batch, const Logs& logs) override;
  void on_test_end(const Logs& logs) override;
  void on_predict_begin(const Logs& logs) override;
  void on_predict_batch_end(std::int64_t batch, const Logs& logs) override;
  void on_predict_end(const Logs& logs) override;

 private:
  void start();
  void step(std::int64_t batch, const Logs& logs);
  void finish(const Logs& logs);

  std::ostream& out_;
  int verbose_;
  int epochs_;
  std::int64_t steps_;
  bool live_;
  std::int64_t seen_ = 0;
  std::unique_ptr<ProgressBar> bar_;
};

/// True when `out` is std::cout and standard output is a terminal.
bool is_terminal(const std::ostream& out);

}  // namespace rnnkit::models::detail
