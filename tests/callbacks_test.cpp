#define BOOST_TEST_MODULE callbacks
#include <rnnkit/callbacks/callbacks.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/schedules.h>
#include <rnnkit/optim/sgd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using callbacks::Callback;
using layers::Dense;
using models::Logs;
using models::Sequential;
using testing::random_tensor;
using testing::same_values;

namespace {

// Writes a scripted value of "score" into each epoch's logs and remembers the weights then, so
// that monitor-driven callbacks placed after it see a known sequence.
struct ScriptedScore : Callback {
  explicit ScriptedScore(std::vector<double> values) : scores(std::move(values)) {}
  void on_epoch_end(int epoch, Logs& logs) override {
    logs.set("score", scores.at(static_cast<std::size_t>(epoch)));
    weights.push_back(model().get_weights());
  }
  std::vector<double> scores;
  std::vector<std::vector<Tensor>> weights;
};

// Counts every hook.
struct Counter : Callback {
  void on_train_begin(const Logs&) override { ++train_begin; }
  void on_train_end(const Logs&) override { ++train_end; }
  void on_epoch_begin(int, const Logs&) override { ++epoch_begin; }
  void on_epoch_end(int, Logs&) override { ++epoch_end; }
  void on_train_batch_begin(std::int64_t, const Logs&) override { ++batch_begin; }
  void on_train_batch_end(std::int64_t, const Logs& logs) override {
    ++batch_end;
    batch_has_loss = batch_has_loss && logs.contains("loss");
  }
  void on_test_begin(const Logs&) override { ++test_begin; }
  void on_test_batch_end(std::int64_t, const Logs&) override { ++test_batch_end; }
  int train_begin = 0, train_end = 0, epoch_begin = 0, epoch_end = 0;
  int batch_begin = 0, batch_end = 0, test_begin = 0, test_batch_end = 0;
  bool batch_has_loss = true;
};

struct Fixture {
  Fixture() {
    set_global_seed(5);
    model.add(Dense(1));
    model.compile(
        {.optimizer = optim::SGD({.learning_rate = 0.05}), .loss = "mse", .metrics = {"mae"}});
  }
  models::History fit(std::vector<callbacks::AnyCallback> list, int epochs) {
    return model.fit(x, y,
                     {.batch_size = 4,
                      .epochs = epochs,
                      .verbose = 0,
                      .callbacks = std::move(list),
                      .shuffle = false});
  }
  Tensor x = random_tensor({8, 3}, DType::f32, 1);
  Tensor y = random_tensor({8, 1}, DType::f32, 2);
  Sequential model;
};

std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("rnnkit_callbacks_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(hooks, Fixture)

BOOST_AUTO_TEST_CASE(every_hook_is_called_in_keras_order_and_count) {
  auto counter = std::make_shared<Counter>();
  model.fit(x, y,
            {.batch_size = 3,
             .epochs = 2,
             .verbose = 0,
             .callbacks = {counter},
             .validation_split = 0.25});
  // 6 training samples in batches of 3: 2 steps per epoch; 2 validation samples: 1 step.
  BOOST_TEST(counter->train_begin == 1);
  BOOST_TEST(counter->train_end == 1);
  BOOST_TEST(counter->epoch_begin == 2);
  BOOST_TEST(counter->epoch_end == 2);
  BOOST_TEST(counter->batch_begin == 4);
  BOOST_TEST(counter->batch_end == 4);
  BOOST_TEST(counter->batch_has_loss);
  BOOST_TEST(counter->test_begin == 2);
  BOOST_TEST(counter->test_batch_end == 2);
  RNNKIT_CHECK_THROWS(counter->model(), std::logic_error, "no model");
}

BOOST_AUTO_TEST_CASE(a_callback_can_stop_training) {
  struct StopAfterFirstBatch : Callback {
    void on_train_batch_end(std::int64_t, const Logs&) override { model().stop_training = true; }
  };
  const models::History history = fit({StopAfterFirstBatch()}, 5);
  BOOST_TEST(history.epoch().size() == 1u);
  BOOST_TEST(model.optimizer().iterations() == 1);
}

BOOST_AUTO_TEST_CASE(early_stopping_waits_patience_epochs_without_improvement) {
  auto script = std::make_shared<ScriptedScore>(std::vector<double>{5, 4, 4.5, 4.2, 3, 1});
  auto stopper = std::make_shared<callbacks::EarlyStopping>(
      callbacks::EarlyStoppingOptions{.monitor = "score", .patience = 2});
  const models::History history = fit({script, stopper}, 6);
  // Best 4 at epoch 1; epochs 2 and 3 do not improve -> stop after epoch 3.
  BOOST_TEST(history.epoch().size() == 4u);
  BOOST_TEST(stopper->stopped_epoch() == 3);
  BOOST_TEST(stopper->best() == 4.0);
  BOOST_TEST(stopper->best_epoch() == 1);
}

BOOST_AUTO_TEST_CASE(early_stopping_min_delta_and_max_mode) {
  auto script = std::make_shared<ScriptedScore>(std::vector<double>{0.5, 0.505, 0.509, 0.6, 0.7});
  auto stopper = std::make_shared<callbacks::EarlyStopping>(callbacks::EarlyStoppingOptions{
      .monitor = "score", .min_delta = 0.01, .patience = 1, .mode = "max"});
  const models::History history = fit({script, stopper}, 5);
  // +0.005 is below min_delta: no improvement at epoch 1 -> stop there.
  BOOST_TEST(history.epoch().size() == 2u);
  BOOST_TEST(stopper->stopped_epoch() == 1);
  // "auto" maximizes names with "acc".
  auto auto_mode = std::make_shared<ScriptedScore>(std::vector<double>{0.1, 0.2, 0.3, 0.4});
  struct AccAlias : Callback {
    void on_epoch_end(int, Logs& logs) override { logs.set("val_acc", logs.at("score")); }
  };
  auto acc_stopper = std::make_shared<callbacks::EarlyStopping>(
      callbacks::EarlyStoppingOptions{.monitor = "val_acc", .patience = 0});
  BOOST_TEST(fit({auto_mode, AccAlias(), acc_stopper}, 4).epoch().size() == 4u);
}

BOOST_AUTO_TEST_CASE(early_stopping_restores_the_best_weights) {
  auto script = std::make_shared<ScriptedScore>(std::vector<double>{3, 1, 2, 2.5, 0.5});
  auto stopper = std::make_shared<callbacks::EarlyStopping>(callbacks::EarlyStoppingOptions{
      .monitor = "score", .patience = 2, .restore_best_weights = true});
  fit({script, stopper}, 5);
  BOOST_TEST(stopper->stopped_epoch() == 3);
  BOOST_TEST(same_values(model.get_weights(), script->weights[1]));
  BOOST_TEST(!same_values(model.get_weights(), script->weights[3]));
}

BOOST_AUTO_TEST_CASE(early_stopping_baseline_must_be_beaten) {
  // Improvements that stay above the baseline do not restart the count.
  const std::vector<double> scores = {3, 2.5, 2.6, 2.7};
  auto with_baseline = std::make_shared<callbacks::EarlyStopping>(
      callbacks::EarlyStoppingOptions{.monitor = "score", .patience = 2, .baseline = 2.0});
  BOOST_TEST(fit({ScriptedScore(scores), with_baseline}, 4).epoch().size() == 3u);
  auto without = std::make_shared<callbacks::EarlyStopping>(
      callbacks::EarlyStoppingOptions{.monitor = "score", .patience = 2});
  BOOST_TEST(fit({ScriptedScore(scores), without}, 4).epoch().size() == 4u);
}

BOOST_AUTO_TEST_CASE(early_stopping_refuses_bad_options) {
  RNNKIT_CHECK_THROWS(callbacks::EarlyStopping({.mode = "up"}), std::invalid_argument, "mode",
                      "up");
  RNNKIT_CHECK_THROWS(callbacks::EarlyStopping({.patience = -1}), std::invalid_argument,
                      "patience");
}

BOOST_AUTO_TEST_CASE(terminate_on_nan_stops_at_the_first_bad_batch) {
  model.compile(
      {.optimizer = "sgd",
       .loss = losses::AnyLoss(std::string("nan_loss"), [](const Tensor&, const Tensor& y_pred) {
         return mul(sum(y_pred, -1), std::numeric_limits<double>::quiet_NaN());
       })});
  const models::History history = fit({callbacks::TerminateOnNaN()}, 3);
  BOOST_TEST(history.epoch().size() == 1u);
  // The batch with the NaN loss applies no update (rnnkit keeps the last good weights).
  BOOST_TEST(model.optimizer().iterations() == 0);
  BOOST_TEST(std::isnan(history["loss"][0]));
}

BOOST_AUTO_TEST_CASE(csv_logger_writes_one_sorted_row_per_epoch) {
  const auto dir = temp_dir("csv");
  const auto path = dir / "log.csv";
  const models::History history = fit({callbacks::CSVLogger(path)}, 3);
  std::ifstream file(path);
  std::string header;
  std::getline(file, header);
  BOOST_TEST(header == "epoch,loss,mae");
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::string row;
    std::getline(file, row);
    std::istringstream fields(row);
    std::string cell;
    std::getline(fields, cell, ',');
    BOOST_TEST(std::stoi(cell) == epoch);
    std::getline(fields, cell, ',');
    BOOST_TEST(std::stod(cell) == history["loss"][static_cast<std::size_t>(epoch)]);
    std::getline(fields, cell, ',');
    BOOST_TEST(std::stod(cell) == history["mae"][static_cast<std::size_t>(epoch)]);
  }
  std::string extra;
  BOOST_TEST(!std::getline(file, extra));

  // append: more rows, no second header.
  fit({callbacks::CSVLogger(path, {.separator = ',', .append = true})}, 2);
  std::ifstream appended(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(appended, line);) lines.push_back(line);
  BOOST_TEST(lines.size() == 6u);
  BOOST_TEST(std::count(lines.begin(), lines.end(), "epoch,loss,mae") == 1);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(learning_rate_scheduler_sets_the_rate_each_epoch) {
  std::vector<double> seen;
  struct RecordRate : Callback {
    explicit RecordRate(std::vector<double>& out) : rates(&out) {}
    void on_train_batch_begin(std::int64_t, const Logs&) override {
      rates->push_back(model().optimizer().learning_rate());
    }
    std::vector<double>* rates;
  };
  const models::History history = fit({callbacks::LearningRateScheduler([](int epoch, double rate) {
                                         return epoch == 0 ? 0.2 : rate / 2.0;
                                       }),
                                       RecordRate(seen)},
                                      3);
  BOOST_TEST(history["lr"] == std::vector<double>({0.2, 0.1, 0.05}),
             boost::test_tools::per_element());
  // Two batches per epoch, each with its epoch's rate.
  BOOST_TEST(seen == std::vector<double>({0.2, 0.2, 0.1, 0.1, 0.05, 0.05}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(learning_rate_scheduler_sees_the_base_rate_and_refuses_a_schedule) {
  // With decay, the rate the scheduler sees and logs is the hyperparameter, not the decayed one.
  model.compile({.optimizer = optim::SGD({.learning_rate = 0.1, .decay = 0.5}), .loss = "mse"});
  std::vector<double> given;
  const models::History history = fit({callbacks::LearningRateScheduler([&given](int, double rate) {
                                        given.push_back(rate);
                                        return rate;
                                      })},
                                      2);
  BOOST_TEST(given == std::vector<double>({0.1, 0.1}), boost::test_tools::per_element());
  BOOST_TEST(history["lr"] == std::vector<double>({0.1, 0.1}), boost::test_tools::per_element());
  model.compile({.optimizer = optim::SGD({.learning_rate = optim::ExponentialDecay(0.1, 10, 0.5)}),
                 .loss = "mse"});
  RNNKIT_CHECK_THROWS(
      fit({callbacks::LearningRateScheduler([](int, double rate) { return rate; })}, 1),
      std::logic_error, "schedule");
}

BOOST_AUTO_TEST_CASE(csv_logger_is_reusable_after_a_failed_fit) {
  const auto dir = temp_dir("csv_reuse");
  struct Failing : Callback {
    void on_epoch_end(int, Logs&) override { throw std::runtime_error("stop"); }
  };
  auto logger = std::make_shared<callbacks::CSVLogger>(dir / "log.csv");
  RNNKIT_CHECK_THROWS(fit({logger, Failing()}, 2), std::runtime_error, "stop");
  fit({logger}, 2);
  std::ifstream file(dir / "log.csv");
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  BOOST_TEST(lines.size() == 3u);
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(model_checkpoint_saves_the_improving_epochs) {
  const auto dir = temp_dir("checkpoint");
  auto script = std::make_shared<ScriptedScore>(std::vector<double>{3, 1, 2, 0.5});
  auto checkpoint = std::make_shared<callbacks::ModelCheckpoint>(
      (dir / "w-{epoch:02d}-{score:.1f}.rnnkit").string(),
      callbacks::ModelCheckpointOptions{
          .monitor = "score", .save_best_only = true, .save_weights_only = true});
  fit({script, checkpoint}, 4);
  BOOST_TEST(std::filesystem::exists(dir / "w-01-3.0.rnnkit"));
  BOOST_TEST(std::filesystem::exists(dir / "w-02-1.0.rnnkit"));
  BOOST_TEST(!std::filesystem::exists(dir / "w-03-2.0.rnnkit"));
  BOOST_TEST(std::filesystem::exists(dir / "w-04-0.5.rnnkit"));
  BOOST_TEST(checkpoint->last_saved() == dir / "w-04-0.5.rnnkit");
  BOOST_TEST(checkpoint->best() == 0.5);
  // The file of epoch 2 holds that epoch's weights.
  model.load_weights(dir / "w-02-1.0.rnnkit");
  BOOST_TEST(same_values(model.get_weights(), script->weights[1]));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(model_checkpoint_refuses_a_path_it_cannot_format) {
  const auto dir = temp_dir("checkpoint_bad");
  RNNKIT_CHECK_THROWS(fit({callbacks::ModelCheckpoint((dir / "w-{unknown}.rnnkit").string())}, 1),
                      std::invalid_argument, "filepath", "{epoch}");
  BOOST_TEST(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
