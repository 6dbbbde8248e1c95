#define BOOST_TEST_MODULE hardening_training
// Training entry points and callbacks refuse what they can before the first update. Every
// refused call is checked for its exception type, a message naming what was wrong, and that the
// whole model state (every weight and its version, the optimizer's slots and iterations, the
// stateful layers' states) is bit for bit what it was.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rnnkit/framework/messages.h>
#include <rnnkit/rnnkit.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "file_size_limit.h"
#include "model_state.h"
#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::Embedding;
using layers::SimpleRNN;
using models::Sequential;
using testing::random_tensor;
using testing::state_of;

namespace {

/// `call` must throw `Exception` whose message holds every given part, and leave the model's
/// whole state as it was.
#define CHECK_REFUSED(model, call, Exception, ...)                                  \
  do {                                                                              \
    const std::string hardening_before = state_of(model);                           \
    RNNKIT_CHECK_THROWS(call, Exception, __VA_ARGS__);                              \
    BOOST_TEST(state_of(model) == hardening_before, "the refused call changed it"); \
  } while (false)

const initializers::AnyInitializer glorot = initializers::GlorotUniform({.seed = 1});

// SimpleRNN(4) -> Dense(outputs) for inputs [batch, 5, 3], compiled with Adam and trained one
// step so that its optimizer holds slots; softmax and sparse crossentropy when outputs > 1.
Sequential trained_model(std::int64_t outputs = 1) {
  Sequential model(SimpleRNN(4, {.kernel_initializer = glorot}),
                   Dense(outputs, {.activation = outputs > 1 ? "softmax" : "linear",
                                   .kernel_initializer = glorot}));
  const bool classes = outputs > 1;
  model.compile({.optimizer = optim::Adam(),
                 .loss = classes ? "sparse_categorical_crossentropy" : "mse",
                 .metrics = {classes ? "accuracy" : "mae"}});
  const Tensor y = classes ? Tensor::zeros({4}, DType::i64) : random_tensor({4, 1}, DType::f32, 5);
  model.train_on_batch(random_tensor({4, 5, 3}, DType::f32, 4), y);
  return model;
}

// A stateful SimpleRNN(4) -> Dense(3) softmax classifier of batch size 4, trained one step so
// that its states and its optimizer are not at their start.
Sequential trained_stateful_model() {
  Sequential model(SimpleRNN(4, {.kernel_initializer = glorot, .stateful = true}),
                   Dense(3, {.activation = "softmax", .kernel_initializer = glorot}));
  model.build({5, 3}, 4);
  model.compile({.optimizer = optim::Adam(), .loss = "sparse_categorical_crossentropy"});
  model.train_on_batch(random_tensor({4, 5, 3}, DType::f32, 4), Tensor::zeros({4}, DType::i64));
  return model;
}

Tensor inputs(std::int64_t samples, std::int64_t features = 3) {
  return random_tensor({samples, 5, features}, DType::f32, 6);
}

// Class ids 0, 1, 2, 0, ... with `bad` at sample `at`.
Tensor class_ids(std::int64_t samples, std::int64_t at = -1, double bad = 0) {
  std::vector<double> ids;
  for (std::int64_t i = 0; i < samples; ++i) ids.push_back(i == at ? bad : i % 3);
  return Tensor::from_values({samples}, ids, DType::i64);
}

// A fresh directory, removed at the end of the test.
struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("rnnkit_hardening_training_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  bool empty() const { return std::filesystem::is_empty(path); }
  std::filesystem::path path;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(validation_data)

BOOST_AUTO_TEST_CASE(another_feature_width_is_refused_before_training) {
  Sequential model = trained_model();
  const Tensor y = random_tensor({8, 1}, DType::f32, 7);
  CHECK_REFUSED(model,
                model.fit(inputs(8), y,
                          {.verbose = 0,
                           .validation_data =
                               models::ValidationData{.x = inputs(4, 2),
                                                      .y = random_tensor({4, 1}, DType::f32, 8)}}),
                std::invalid_argument, "validation_data.x", "[4, 5, 2]", "[5, 3]");
}

BOOST_AUTO_TEST_CASE(other_timesteps_are_accepted) {
  Sequential model = trained_model();
  const models::History history = model.fit(
      inputs(8), random_tensor({8, 1}, DType::f32, 7),
      {.verbose = 0,
       .validation_data = models::ValidationData{.x = random_tensor({4, 9, 3}, DType::f32, 9),
                                                 .y = random_tensor({4, 1}, DType::f32, 8)}});
  BOOST_TEST(history.contains("val_loss"));
}

BOOST_AUTO_TEST_CASE(an_int64_x_is_refused_before_training) {
  Sequential model = trained_model();
  CHECK_REFUSED(model,
                model.fit(inputs(8), random_tensor({8, 1}, DType::f32, 7),
                          {.verbose = 0,
                           .validation_data =
                               models::ValidationData{.x = Tensor::zeros({4, 5, 3}, DType::i64),
                                                      .y = random_tensor({4, 1}, DType::f32, 8)}}),
                std::invalid_argument, "validation_data.x", "int64", "float32");
}

BOOST_AUTO_TEST_CASE(an_out_of_range_label_is_refused_before_training) {
  Sequential model = trained_model(3);
  CHECK_REFUSED(model,
                model.fit(inputs(8), class_ids(8),
                          {.verbose = 0,
                           .validation_data =
                               models::ValidationData{.x = inputs(4), .y = class_ids(4, 2, 5)}}),
                std::invalid_argument, "validation_data.y", "class id 5", "sample 2",
                "validation batch 0", "[0, 3)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(labels_and_ids)

BOOST_AUTO_TEST_CASE(an_out_of_range_label_names_its_sample_before_any_update) {
  Sequential model = trained_model(3);
  CHECK_REFUSED(model,
                model.fit(inputs(20), class_ids(20, 15, 7),
                          {.batch_size = 4, .verbose = 0, .shuffle = false}),
                std::invalid_argument, "y holds class id 7", "sample 15", "batch 3 of batch_size 4",
                "[0, 3)");
}

BOOST_AUTO_TEST_CASE(a_negative_label_is_refused_by_evaluate_and_the_batch_steps) {
  Sequential model = trained_model(3);
  CHECK_REFUSED(model, model.evaluate(inputs(8), class_ids(8, 6, -1), {.verbose = 0}),
                std::invalid_argument, "evaluate", "class id -1", "sample 6", "[0, 3)");
  CHECK_REFUSED(model, model.train_on_batch(inputs(8), class_ids(8, 6, 3)), std::invalid_argument,
                "train_on_batch", "class id 3", "sample 6");
  CHECK_REFUSED(model, model.test_on_batch(inputs(8), class_ids(8, 6, 3)), std::invalid_argument,
                "test_on_batch", "class id 3", "sample 6");
}

BOOST_AUTO_TEST_CASE(a_label_past_the_sparse_accuracy_classes_is_refused) {
  Sequential model(SimpleRNN(4, {.kernel_initializer = glorot}),
                   Dense(3, {.activation = "softmax", .kernel_initializer = glorot}));
  const losses::AnyLoss per_sample = [](const Tensor&, const Tensor& y_pred) {
    return mean(mul(y_pred, y_pred), -1);
  };
  model.compile(
      {.optimizer = optim::Adam(), .loss = per_sample, .metrics = {"sparse_categorical_accuracy"}});
  model.train_on_batch(inputs(4), class_ids(4));
  CHECK_REFUSED(model, model.fit(inputs(8), class_ids(8, 1, 3), {.verbose = 0}),
                std::invalid_argument, "class id 3", "sample 1", "sparse_categorical_accuracy",
                "[0, 3)");
}

BOOST_AUTO_TEST_CASE(a_stateful_train_on_batch_keeps_its_states) {
  Sequential model = trained_stateful_model();
  CHECK_REFUSED(model, model.train_on_batch(inputs(4), class_ids(4, 3, 9)), std::invalid_argument,
                "class id 9", "sample 3");
}

Sequential trained_embedding_model() {
  Sequential model(Embedding(10, 4, {.embeddings_initializer = glorot}),
                   SimpleRNN(4, {.kernel_initializer = glorot}),
                   Dense(1, {.kernel_initializer = glorot}));
  model.compile({.optimizer = optim::Adam(), .loss = "mse"});
  model.train_on_batch(Tensor::ones({4, 6}, DType::i64), random_tensor({4, 1}, DType::f32, 3));
  return model;
}

Tensor ids_with(std::int64_t samples, std::int64_t at, double bad) {
  std::vector<double> ids;
  for (std::int64_t i = 0; i < samples * 6; ++i) ids.push_back(i == at * 6 ? bad : i % 10);
  return Tensor::from_values({samples, 6}, ids, DType::i64);
}

BOOST_AUTO_TEST_CASE(an_out_of_range_embedding_id_names_its_sample_before_any_update) {
  Sequential model = trained_embedding_model();
  const Tensor y = random_tensor({20, 1}, DType::f32, 3);
  CHECK_REFUSED(
      model, model.fit(ids_with(20, 15, 12), y, {.batch_size = 4, .verbose = 0, .shuffle = false}),
      std::invalid_argument, "x at sample 15", "batch 3 of batch_size 4", "inputs[15, 0]", "12",
      "[0, 10)");
  CHECK_REFUSED(model, model.train_on_batch(ids_with(4, 2, -3), random_tensor({4, 1})),
                std::invalid_argument, "x at sample 2", "inputs[2, 0]", "-3");
  CHECK_REFUSED(model, model.predict(ids_with(20, 17, 10)), std::invalid_argument, "x at sample 17",
                "batch 0 of batch_size 32", "inputs[17, 0]");
}

BOOST_AUTO_TEST_CASE(a_bad_validation_id_is_refused_before_training) {
  Sequential model = trained_embedding_model();
  CHECK_REFUSED(model,
                model.fit(ids_with(8, -1, 0), random_tensor({8, 1}, DType::f32, 3),
                          {.verbose = 0,
                           .validation_data = models::ValidationData{.x = ids_with(4, 3, 11),
                                                                     .y = random_tensor({4, 1})}}),
                std::invalid_argument, "validation_data.x at sample 3", "inputs[3, 0]", "11");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stateful)

BOOST_AUTO_TEST_CASE(samples_that_do_not_fill_the_last_batch_are_refused_up_front) {
  Sequential model = trained_stateful_model();
  CHECK_REFUSED(model, model.fit(inputs(10), class_ids(10), {.batch_size = 4, .verbose = 0}),
                std::invalid_argument, "stateful", "the 10 samples of x", "batches of 4");
  CHECK_REFUSED(model, model.evaluate(inputs(6), class_ids(6), {.batch_size = 4, .verbose = 0}),
                std::invalid_argument, "stateful", "6 samples");
  CHECK_REFUSED(model, model.predict(inputs(6), {.batch_size = 4}), std::invalid_argument,
                "stateful", "6 samples");
  CHECK_REFUSED(
      model,
      model.fit(inputs(8), class_ids(8),
                {.batch_size = 4,
                 .verbose = 0,
                 .validation_data = models::ValidationData{.x = inputs(6), .y = class_ids(6)}}),
      std::invalid_argument, "stateful", "validation_data", "6 samples");
}

BOOST_AUTO_TEST_CASE(a_batch_size_other_than_the_models_is_refused_before_any_update) {
  Sequential model = trained_stateful_model();
  CHECK_REFUSED(model, model.fit(inputs(8), class_ids(8), {.batch_size = 2, .verbose = 0}),
                std::invalid_argument, "[4, None, 3]", "[2, 5, 3]");
  // One batch of the model's batch size is whole, however large batch_size is.
  model.fit(inputs(4), class_ids(4), {.batch_size = 32, .verbose = 0});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(model_checkpoint)

BOOST_AUTO_TEST_CASE(a_bad_format_spec_is_refused_before_training_and_before_any_file) {
  TempDir dir;
  Sequential model = trained_model();
  const std::string pattern = (dir.path / "c-{epoch:xyz}.rnnkit").string();
  CHECK_REFUSED(model,
                model.fit(inputs(8), random_tensor({8, 1}),
                          {.verbose = 0,
                           .callbacks = {callbacks::CSVLogger(dir.path / "log.csv"),
                                         callbacks::ModelCheckpoint(pattern)}}),
                std::invalid_argument, "ModelCheckpoint", pattern);
  BOOST_TEST(dir.empty());
}

BOOST_AUTO_TEST_CASE(a_validation_value_without_validation_data_is_refused_before_training) {
  TempDir dir;
  Sequential model = trained_model(3);
  CHECK_REFUSED(model,
                model.fit(inputs(8), class_ids(8),
                          {.verbose = 0,
                           .callbacks = {callbacks::ModelCheckpoint(
                               (dir.path / "c-{val_accuracy:.2f}").string())}}),
                std::invalid_argument, "ModelCheckpoint", "val_accuracy", "loss, accuracy");
  BOOST_TEST(dir.empty());
}

BOOST_AUTO_TEST_CASE(every_name_fit_logs_is_accepted) {
  TempDir dir;
  Sequential model = trained_model(3);
  auto checkpoint = std::make_shared<callbacks::ModelCheckpoint>(
      (dir.path / "c-{epoch:02d}-{val_accuracy:.2f}-{lr:.3f}-{loss:.1f}.rnnkit").string(),
      callbacks::ModelCheckpointOptions{.save_weights_only = true});
  model.fit(inputs(8), class_ids(8),
            {.epochs = 2,
             .verbose = 0,
             .callbacks = {callbacks::LearningRateScheduler([](int, double rate) { return rate; }),
                           checkpoint},
             .validation_data = models::ValidationData{.x = inputs(4), .y = class_ids(4)}});
  BOOST_TEST(checkpoint->last_saved().filename().string().starts_with("c-02-"));
  BOOST_TEST(std::filesystem::exists(checkpoint->last_saved()));
}

// Logs a value of its own without saying so (added_log_names() is nothing).
class LogsAScore : public callbacks::Callback {
 public:
  void on_epoch_end(int epoch, models::Logs& logs) override { logs.set("score", epoch); }
};

BOOST_AUTO_TEST_CASE(a_name_a_user_callback_may_log_is_accepted_but_not_a_bad_spec) {
  TempDir dir;
  Sequential model = trained_model();
  auto checkpoint = std::make_shared<callbacks::ModelCheckpoint>(
      (dir.path / "c-{score:.0f}.rnnkit").string(),
      callbacks::ModelCheckpointOptions{.save_weights_only = true});
  model.fit(inputs(8), random_tensor({8, 1}),
            {.epochs = 2, .verbose = 0, .callbacks = {LogsAScore(), checkpoint}});
  BOOST_TEST(checkpoint->last_saved().filename().string() == "c-1.rnnkit");
  std::filesystem::remove_all(dir.path);
  std::filesystem::create_directories(dir.path);
  CHECK_REFUSED(
      model,
      model.fit(inputs(8), random_tensor({8, 1}),
                {.verbose = 0,
                 .callbacks = {LogsAScore(),
                               callbacks::ModelCheckpoint((dir.path / "c-{score:xyz}").string())}}),
      std::invalid_argument, "ModelCheckpoint", "c-{score:xyz}");
  BOOST_TEST(dir.empty());
}

BOOST_AUTO_TEST_CASE(a_learning_rate_scheduler_of_a_scheduled_optimizer_before_any_file) {
  TempDir dir;
  Sequential model(SimpleRNN(4, {.kernel_initializer = glorot}),
                   Dense(1, {.kernel_initializer = glorot}));
  model.compile({.optimizer = optim::SGD({.learning_rate = optim::ExponentialDecay(0.1, 10, 0.5)}),
                 .loss = "mse"});
  model.train_on_batch(inputs(4), random_tensor({4, 1}));
  CHECK_REFUSED(
      model,
      model.fit(
          inputs(8), random_tensor({8, 1}),
          {.verbose = 0,
           .callbacks = {callbacks::CSVLogger(dir.path / "log.csv"),
                         callbacks::LearningRateScheduler([](int, double rate) { return rate; })}}),
      std::logic_error, "LearningRateScheduler", "schedule");
  BOOST_TEST(dir.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(refused_at_construction)

BOOST_AUTO_TEST_CASE(a_negative_size_other_than_unknown) {
  Sequential model(SimpleRNN(4), Dense(1));
  CHECK_REFUSED(model, model.build({-5, 2}), std::invalid_argument, "build", "-5", "-1");
  BOOST_TEST(!model.built());
  model.build({-1, 2});
  BOOST_TEST(model.built());
}

BOOST_AUTO_TEST_CASE(an_early_stopping_min_delta_that_is_not_a_number) {
  RNNKIT_CHECK_THROWS(
      callbacks::EarlyStopping({.min_delta = std::numeric_limits<double>::quiet_NaN()}),
      std::invalid_argument, "EarlyStopping", "min_delta", "nan");
  RNNKIT_CHECK_THROWS(
      callbacks::EarlyStopping({.baseline = std::numeric_limits<double>::quiet_NaN()}),
      std::invalid_argument, "EarlyStopping", "baseline", "nan");
}

BOOST_AUTO_TEST_CASE(a_csv_separator_that_breaks_rows) {
  for (const char separator : {'\n', '\r', '"'}) {
    RNNKIT_CHECK_THROWS(callbacks::CSVLogger("log.csv", {.separator = separator}),
                        std::invalid_argument, "CSVLogger", "separator");
  }
  callbacks::CSVLogger("log.csv", {.separator = ';'});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(csv_logger)

BOOST_AUTO_TEST_CASE(an_unopenable_file_gives_the_os_reason) {
  TempDir dir;
  Sequential model = trained_model();
  const std::filesystem::path file = dir.path / "missing" / "log.csv";
  CHECK_REFUSED(model,
                model.fit(inputs(8), random_tensor({8, 1}),
                          {.verbose = 0, .callbacks = {callbacks::CSVLogger(file)}}),
                std::system_error, file.string(), "No such file or directory");
}

// The child side: fit with a CSVLogger at RNNKIT_CSV_FILE while files may not grow past
// RNNKIT_CSV_LIMIT bytes, printing "outcome: " and what it threw (nothing when it returned).
void fit_under_the_file_size_limit(const char* file, const char* limit) {
  std::string outcome;
  try {
    Sequential model = trained_model();
    const testing::FileSizeLimit full_disk(std::stoull(limit));
    model.fit(inputs(8), random_tensor({8, 1}),
              {.epochs = 3, .verbose = 0, .callbacks = {callbacks::CSVLogger(file)}});
  } catch (const std::system_error& error) {
    outcome = fmt::format("system_error {}: {}", error.code().value(), error.what());
  } catch (const std::exception& error) {
    outcome = fmt::format("other: {}", error.what());
  }
  std::cout << "outcome: " << outcome << std::endl;
}

// Runs this test in a fresh process of this executable with a file-size limit of `limit` bytes
// (a process of its own, so the limit binds nothing else), and returns what its fit threw.
std::string fit_with_csv_under_file_size_limit(const std::filesystem::path& file,
                                               const std::string& limit) {
  const std::string command = fmt::format(
      "RNNKIT_CSV_FILE='{}' RNNKIT_CSV_LIMIT={} /proc/{}/exe "
      "--run_test=csv_logger/a_full_disk_throws_naming_the_file_and_the_os_reason "
      "--log_level=nothing --report_level=no",
      file.string(), limit, ::getpid());
  FILE* child = ::popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(child != nullptr);
  std::string output;
  char buffer[512];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, child)) > 0;)
    output.append(buffer, n);
  BOOST_TEST(::pclose(child) == 0, output);
  const std::size_t found = output.find("outcome: ");
  BOOST_TEST_REQUIRE(found != std::string::npos, output);
  std::string outcome = output.substr(found + 9);
  while (!outcome.empty() && outcome.back() == '\n') outcome.pop_back();
  return outcome;
}

BOOST_AUTO_TEST_CASE(a_full_disk_throws_naming_the_file_and_the_os_reason) {
  if (const char* file = std::getenv("RNNKIT_CSV_FILE")) {
    fit_under_the_file_size_limit(file, std::getenv("RNNKIT_CSV_LIMIT"));
    return;
  }
  TempDir dir;
  const std::filesystem::path file = dir.path / "log.csv";
  for (const std::string limit : {"0", "10", "40"}) {
    BOOST_TEST_CONTEXT("file size limit " << limit) {
      const std::string outcome = fit_with_csv_under_file_size_limit(file, limit);
      BOOST_TEST(outcome.starts_with(fmt::format("system_error {}", EFBIG)), outcome);
      BOOST_TEST(outcome.find(file.string()) != std::string::npos, outcome);
      BOOST_TEST(outcome.find("File too large") != std::string::npos, outcome);
    }
  }
  // With room for every byte the same run writes its header and three rows.
  BOOST_TEST(fit_with_csv_under_file_size_limit(file, "1000000") == "");
  std::ifstream written(file);
  int lines = 0;
  for (std::string line; std::getline(written, line);) ++lines;
  BOOST_TEST(lines == 4);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(loss_without_trainable_weights)

// A cell without weights: its output is its input plus one (Keras: a layer whose call is
// inputs + 1). Nothing the loss depends on can be trained.
class PlusOneCell : public layers::AbstractRNNCell {
 public:
  explicit PlusOneCell(std::int64_t units) : AbstractRNNCell({}, "plus_one_cell"), units_(units) {}
  std::string class_name() const override { return "PlusOneCell"; }
  std::vector<std::int64_t> state_size() const override { return {units_}; }
  std::int64_t output_size() const override { return units_; }
  void build(const Shape&) override {}
  layers::CellOutput call(const Tensor& inputs, const std::vector<Tensor>&, bool) override {
    const Tensor output = inputs + 1.0;
    return {output, {output}};
  }

 private:
  std::int64_t units_;
};

// A cell without weights that mixes its input into its state.
class WeightlessCell : public layers::AbstractRNNCell {
 public:
  explicit WeightlessCell(std::int64_t units)
      : AbstractRNNCell({}, "weightless_cell"), units_(units) {}
  std::string class_name() const override { return "WeightlessCell"; }
  std::vector<std::int64_t> state_size() const override { return {units_}; }
  std::int64_t output_size() const override { return units_; }
  void build(const Shape&) override {}
  layers::CellOutput call(const Tensor& inputs, const std::vector<Tensor>& states, bool) override {
    const Tensor output = tanh(inputs + states[0]);
    return {output, {output}};
  }

 private:
  std::int64_t units_;
};

template <class Cell>
void check_trains_without_updates() {
  Sequential model(layers::RNN(Cell(3)));
  model.compile({.optimizer = optim::Adam(), .loss = "mse"});
  const Tensor x = inputs(8);
  const Tensor y = random_tensor({8, 3}, DType::f32, 9);
  // Keras 2.9 computes the loss, and apply_gradients of an empty list is a no-op: the iterations
  // do not advance either.
  const models::Logs logs = model.train_on_batch(x, y);
  const double expected = model.test_on_batch(x, y).at("loss");
  BOOST_TEST(logs.at("loss") == expected);
  const models::History history = model.fit(x, y, {.epochs = 2, .verbose = 0, .shuffle = false});
  BOOST_TEST(history.at("loss").size() == 2u);
  BOOST_TEST(history.at("loss")[1] == expected);
  BOOST_TEST(model.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(a_cell_whose_output_is_its_input_plus_one) {
  check_trains_without_updates<PlusOneCell>();
}

BOOST_AUTO_TEST_CASE(a_cell_without_weights) { check_trains_without_updates<WeightlessCell>(); }

// A cell with a weight its output ignores.
class IgnoredWeightCell : public PlusOneCell {
 public:
  IgnoredWeightCell() : PlusOneCell(3) {}
  void build(const Shape&) override { add_weight("unused", {3}, "ones"); }
};

BOOST_AUTO_TEST_CASE(trainable_weights_without_gradients_are_refused_as_in_keras) {
  // Keras 2.9 raises "No gradients provided for any variable".
  Sequential model{layers::RNN(IgnoredWeightCell())};
  model.compile({.optimizer = optim::Adam(), .loss = "mse"});
  model.build({5, 3});
  CHECK_REFUSED(model, model.train_on_batch(inputs(8), random_tensor({8, 3})),
                std::invalid_argument, "the loss depends on none of the 1 trainable weights",
                "unused");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(warnings)

// Warns from the hooks of fit, evaluate and predict.
class Warner : public callbacks::Callback {
 public:
  void on_train_begin(const models::Logs&) override { rnnkit::warn("warned in fit"); }
  void on_test_begin(const models::Logs&) override { rnnkit::warn("warned in a test"); }
  void on_predict_begin(const models::Logs&) override { rnnkit::warn("warned in predict"); }
};

BOOST_AUTO_TEST_CASE(go_to_the_output_of_the_call) {
  std::vector<std::string> process_wide;
  rnnkit::set_message_sink([&](std::string_view message) { process_wide.emplace_back(message); });
  Sequential model = trained_model();
  std::ostringstream fit_output, evaluate_output, predict_output;
  model.fit(inputs(8), random_tensor({8, 1}),
            {.verbose = 0,
             .callbacks = {Warner(), callbacks::EarlyStopping({.monitor = "nothing"})},
             .output = &fit_output});
  model.evaluate(inputs(8), random_tensor({8, 1}),
                 {.verbose = 0, .callbacks = {Warner()}, .output = &evaluate_output});
  model.predict(inputs(8), {.callbacks = {Warner()}, .output = &predict_output});
  rnnkit::set_message_sink(nullptr);
  BOOST_TEST(fit_output.str().find("warned in fit\n") != std::string::npos, fit_output.str());
  BOOST_TEST(fit_output.str().find("EarlyStopping: warning: the monitored value 'nothing'") !=
                 std::string::npos,
             fit_output.str());
  BOOST_TEST(evaluate_output.str() == "warned in a test\n");
  BOOST_TEST(predict_output.str() == "warned in predict\n");
  BOOST_TEST(process_wide.empty(), fmt::format("{}", fmt::join(process_wide, " | ")));
}

BOOST_AUTO_TEST_CASE(go_to_the_process_sink_without_an_output) {
  std::vector<std::string> process_wide;
  rnnkit::set_message_sink([&](std::string_view message) { process_wide.emplace_back(message); });
  Sequential model = trained_model();
  model.evaluate(inputs(8), random_tensor({8, 1}), {.verbose = 0, .callbacks = {Warner()}});
  rnnkit::set_message_sink(nullptr);
  BOOST_TEST(process_wide == std::vector<std::string>{"warned in a test"});
}

BOOST_AUTO_TEST_SUITE_END()
