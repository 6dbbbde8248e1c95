#define BOOST_TEST_MODULE model_io
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/embedding.h>
#include <rnnkit/layers/masking.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::SimpleRNN;
using models::Sequential;
using testing::random_tensor;
using testing::same_values;

namespace {

struct TempDir {
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("rnnkit_model_io_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

Sequential make_model(std::int64_t units = 6) {
  Sequential model(SimpleRNN(units), Dense(1));
  model.build({5, 2});
  model.compile(
      {.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse", .metrics = {"mae"}});
  return model;
}

Tensor inputs() { return random_tensor({12, 5, 2}, DType::f32, 3); }
Tensor targets() { return random_tensor({12, 1}, DType::f32, 4); }

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace

BOOST_AUTO_TEST_CASE(save_then_load_model_predicts_bit_identically) {
  TempDir dir;
  set_global_seed(1);
  Sequential model = make_model();
  model.fit(inputs(), targets(), {.batch_size = 4, .epochs = 2, .verbose = 0});
  model.save(dir.path / "model.rnnkit");

  const Sequential loaded_const = models::load_model(dir.path / "model.rnnkit");
  Sequential loaded = models::load_model(dir.path / "model.rnnkit");
  BOOST_TEST(loaded.name() == model.name());
  BOOST_TEST(loaded.size() == 2u);
  BOOST_TEST(loaded.layer(0).class_name() == "SimpleRNN");
  BOOST_TEST(loaded.input_shape() == Shape({5, 2}));
  BOOST_TEST(same_values(loaded.get_weights(), model.get_weights()));
  BOOST_TEST(model.predict(inputs()).to_vector() == loaded.predict(inputs()).to_vector(),
             boost::test_tools::per_element());
  BOOST_TEST(loaded.compiled());
  BOOST_TEST(loaded.optimizer().class_name() == "Adam");
  BOOST_TEST(loaded.optimizer().iterations() == model.optimizer().iterations());
  BOOST_TEST(loaded.metric_names() == std::vector<std::string>({"mae"}),
             boost::test_tools::per_element());
  BOOST_TEST(loaded_const.to_json() == model.to_json());

  const Sequential uncompiled = models::load_model(dir.path / "model.rnnkit", false);
  BOOST_TEST(!uncompiled.compiled());
}

BOOST_AUTO_TEST_CASE(a_resumed_run_equals_an_uninterrupted_one_bit_for_bit) {
  TempDir dir;
  const models::FitOptions two_epochs = {
      .batch_size = 4, .epochs = 2, .verbose = 0, .shuffle = false};
  set_global_seed(7);
  Sequential straight = make_model();
  straight.fit(inputs(), targets(), {.batch_size = 4, .epochs = 4, .verbose = 0, .shuffle = false});

  set_global_seed(7);
  Sequential first = make_model();
  first.fit(inputs(), targets(), two_epochs);
  first.save(dir.path / "half.rnnkit");
  Sequential resumed = models::load_model(dir.path / "half.rnnkit");
  resumed.fit(inputs(), targets(), two_epochs);
  BOOST_TEST(same_values(resumed.get_weights(), straight.get_weights()));
  BOOST_TEST(resumed.optimizer().iterations() == straight.optimizer().iterations());

  // The same through save_weights with the optimizer state into a model compiled anew.
  set_global_seed(7);
  Sequential again = make_model();
  again.fit(inputs(), targets(), two_epochs);
  again.save_weights(dir.path / "half.weights", true);
  Sequential fresh = make_model();
  fresh.load_weights(dir.path / "half.weights");
  fresh.fit(inputs(), targets(), two_epochs);
  BOOST_TEST(same_values(fresh.get_weights(), straight.get_weights()));

  // Loaded before compile(): the state waits for the optimizer of the same class.
  Sequential later(SimpleRNN(6), Dense(1));
  later.build({5, 2});
  later.load_weights(dir.path / "half.weights");
  later.compile({.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse"});
  BOOST_TEST(later.optimizer().iterations() == 6);
  later.fit(inputs(), targets(), two_epochs);
  BOOST_TEST(same_values(later.get_weights(), straight.get_weights()));
}

BOOST_AUTO_TEST_CASE(a_later_file_without_optimizer_state_drops_the_pending_one) {
  TempDir dir;
  set_global_seed(17);
  Sequential trained = make_model();
  trained.fit(inputs(), targets(), {.batch_size = 4, .epochs = 1, .verbose = 0});
  trained.save_weights(dir.path / "with_state.rnnkit", true);
  trained.save_weights(dir.path / "without_state.rnnkit");
  Sequential model(SimpleRNN(6), Dense(1));
  model.build({5, 2});
  model.load_weights(dir.path / "with_state.rnnkit");
  model.load_weights(dir.path / "without_state.rnnkit");
  model.compile({.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse"});
  BOOST_TEST(model.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(a_refused_file_leaves_the_optimizer_state_alone) {
  TempDir dir;
  set_global_seed(19);
  Sequential wide = make_model(6);
  wide.fit(inputs(), targets(), {.batch_size = 4, .epochs = 1, .verbose = 0});
  wide.save_weights(dir.path / "wide.rnnkit", true);
  Sequential narrow = make_model(4);
  narrow.fit(inputs(), targets(), {.batch_size = 4, .epochs = 2, .verbose = 0});
  const optim::OptimizerState before = narrow.optimizer().state();
  RNNKIT_CHECK_THROWS(narrow.load_weights(dir.path / "wide.rnnkit"), std::invalid_argument,
                      "[2, 6]");
  const optim::OptimizerState after = narrow.optimizer().state();
  BOOST_TEST(after.iterations == before.iterations);
  BOOST_TEST(after.slots.size() == before.slots.size());
  for (const auto& [key, value] : before.slots) {
    BOOST_TEST(after.slots.at(key).to_vector() == value.to_vector(),
               boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(weights_without_optimizer_state_leave_the_optimizer_alone) {
  TempDir dir;
  set_global_seed(9);
  Sequential model = make_model();
  model.fit(inputs(), targets(), {.batch_size = 4, .epochs = 1, .verbose = 0});
  model.save_weights(dir.path / "w.rnnkit");
  Sequential other = make_model();
  other.load_weights(dir.path / "w.rnnkit");
  BOOST_TEST(same_values(other.get_weights(), model.get_weights()));
  BOOST_TEST(other.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(damaged_files_are_refused_and_the_model_is_unchanged) {
  TempDir dir;
  set_global_seed(11);
  Sequential model = make_model();
  model.save_weights(dir.path / "good.rnnkit", true);
  const std::string bytes = read_bytes(dir.path / "good.rnnkit");
  Sequential target = make_model();
  const std::vector<Tensor> before = target.get_weights();

  std::string flipped = bytes;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
  write_bytes(dir.path / "flipped.rnnkit", flipped);
  RNNKIT_CHECK_THROWS(target.load_weights(dir.path / "flipped.rnnkit"), std::runtime_error,
                      "flipped.rnnkit");
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, bytes.size() / 3, bytes.size() - 1}) {
    write_bytes(dir.path / "cut.rnnkit", bytes.substr(0, cut));
    RNNKIT_CHECK_THROWS(target.load_weights(dir.path / "cut.rnnkit"), std::runtime_error,
                        "cut.rnnkit");
  }
  RNNKIT_CHECK_THROWS(target.load_weights(dir.path / "missing.rnnkit"), std::runtime_error,
                      "missing.rnnkit");
  BOOST_TEST(same_values(before, target.get_weights()));
  BOOST_TEST(target.optimizer().iterations() == 0);
}

BOOST_AUTO_TEST_CASE(another_architecture_is_refused_and_the_model_is_unchanged) {
  TempDir dir;
  set_global_seed(13);
  make_model(6).save_weights(dir.path / "six.rnnkit");

  Sequential narrower = make_model(4);
  const std::vector<Tensor> before = narrower.get_weights();
  RNNKIT_CHECK_THROWS(narrower.load_weights(dir.path / "six.rnnkit"), std::invalid_argument,
                      "kernel", "[2, 4]", "[2, 6]");
  BOOST_TEST(same_values(before, narrower.get_weights()));

  Sequential deeper(SimpleRNN(6, {.return_sequences = true}), SimpleRNN(6), Dense(1));
  deeper.build({5, 2});
  RNNKIT_CHECK_THROWS(deeper.load_weights(dir.path / "six.rnnkit"), std::invalid_argument,
                      "layer count mismatch", "2", "3");

  Sequential no_bias(SimpleRNN(6, {.use_bias = false}), Dense(1));
  no_bias.build({5, 2});
  RNNKIT_CHECK_THROWS(no_bias.load_weights(dir.path / "six.rnnkit"), std::invalid_argument,
                      "weight count mismatch", "3", "2");

  Sequential unbuilt(SimpleRNN(6), Dense(1));
  RNNKIT_CHECK_THROWS(unbuilt.load_weights(dir.path / "six.rnnkit"), std::logic_error, "not built");
  RNNKIT_CHECK_THROWS(models::load_model(dir.path / "six.rnnkit"), std::invalid_argument,
                      "weights only");
}

BOOST_AUTO_TEST_CASE(saving_replaces_the_file_and_leaves_no_temporary) {
  TempDir dir;
  set_global_seed(15);
  Sequential model = make_model();
  model.save(dir.path / "m.rnnkit");
  model.fit(inputs(), targets(), {.batch_size = 4, .epochs = 1, .verbose = 0});
  model.save(dir.path / "m.rnnkit");
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path),
                           std::filesystem::directory_iterator()) == 1);
  BOOST_TEST(
      same_values(models::load_model(dir.path / "m.rnnkit").get_weights(), model.get_weights()));
}

BOOST_AUTO_TEST_CASE(to_json_writes_keras_layout) {
  Sequential model("sequential_json");
  model.add(SimpleRNN(2, {.name = "rnn"}));
  model.add(Dense(1, {.activation = "sigmoid", .name = "out"}));
  model.build({3, 1});
  const std::string expected =
      R"({"class_name":"Sequential","config":{"name":"sequential_json","layers":[)"
      R"({"class_name":"InputLayer","config":{"batch_input_shape":[null,3,1],"dtype":"float32",)"
      R"("sparse":false,"ragged":false,"name":"rnn_input"}},)"
      R"({"class_name":"SimpleRNN","config":{"name":"rnn","trainable":true,"dtype":"float32",)"
      R"("return_sequences":false,"return_state":false,"go_backwards":false,"stateful":false,)"
      R"("unroll":false,"time_major":false,"units":2,"activation":"tanh","use_bias":true,)"
      R"("kernel_initializer":{"class_name":"GlorotUniform","config":{"seed":null}},)"
      R"("recurrent_initializer":{"class_name":"Orthogonal","config":{"gain":1.0,"seed":null}},)"
      R"("bias_initializer":{"class_name":"Zeros","config":{}},"kernel_regularizer":null,)"
      R"("recurrent_regularizer":null,"bias_regularizer":null,"activity_regularizer":null,)"
      R"("kernel_constraint":null,"recurrent_constraint":null,"bias_constraint":null,)"
      R"("dropout":0.0,"recurrent_dropout":0.0}},)"
      R"({"class_name":"Dense","config":{"name":"out","trainable":true,"dtype":"float32",)"
      R"("units":1,"activation":"sigmoid","use_bias":true,)"
      R"("kernel_initializer":{"class_name":"GlorotUniform","config":{"seed":null}},)"
      R"("bias_initializer":{"class_name":"Zeros","config":{}},"kernel_regularizer":null,)"
      R"("bias_regularizer":null,"activity_regularizer":null,"kernel_constraint":null,)"
      R"("bias_constraint":null}}]},"keras_version":"2.9.0","backend":"tensorflow"})";
  BOOST_TEST(model.to_json() == expected);

  const Sequential rebuilt = models::model_from_json(expected);
  BOOST_TEST(rebuilt.built());
  BOOST_TEST(rebuilt.count_params() == model.count_params());
  BOOST_TEST(rebuilt.to_json() == expected);
}

BOOST_AUTO_TEST_CASE(model_from_json_reads_a_first_layer_batch_input_shape) {
  const std::string keras =
      R"({"class_name":"Sequential","config":{"name":"seq","layers":[)"
      R"({"class_name":"SimpleRNN","config":{"name":"simple_rnn_k","batch_input_shape":[4,7,3],)"
      R"("units":5,"stateful":true}},{"class_name":"Dense","config":{"name":"dense_k","units":2}}]}})";
  const Sequential model = models::model_from_json(keras);
  BOOST_TEST(model.input_shape() == Shape({7, 3}));
  BOOST_TEST(model.output_shapes().back() == Shape({4, 2}));
  BOOST_TEST(model.layer(0).stateful());
}

BOOST_AUTO_TEST_CASE(model_from_json_refuses_what_it_cannot_read) {
  RNNKIT_CHECK_THROWS(models::model_from_json("{not json"), std::invalid_argument,
                      "not valid JSON");
  RNNKIT_CHECK_THROWS(models::model_from_json(R"({"class_name":"Functional","config":{}})"),
                      std::invalid_argument, "functional_from_json", "Functional");
  RNNKIT_CHECK_THROWS(
      models::model_from_json(
          R"({"class_name":"Sequential","config":{"layers":[{"class_name":"LSTM","config":{}}]}})"),
      std::invalid_argument, "LSTM");
}

BOOST_AUTO_TEST_CASE(embedding_and_masking_configs_follow_keras) {
  const layers::Embedding embedding(50, 8, {.mask_zero = true, .name = "tokens"});
  BOOST_TEST(
      layers::serialize(embedding).dump() ==
      R"({"class_name":"Embedding","config":{"name":"tokens","trainable":true,)"
      R"("dtype":"float32","input_dim":50,"output_dim":8,"embeddings_initializer":)"
      R"({"class_name":"RandomUniform","config":{"minval":-0.05,"maxval":0.05,"seed":null}},)"
      R"("embeddings_regularizer":null,"activity_regularizer":null,)"
      R"("embeddings_constraint":null,"mask_zero":true,"input_length":null}})");
  const layers::Masking masking({.mask_value = -1.0, .name = "pad"});
  BOOST_TEST(layers::serialize(masking).dump() ==
             R"({"class_name":"Masking","config":{"name":"pad","trainable":true,)"
             R"("dtype":"float32","mask_value":-1.0}})");

  Sequential model;
  model.add(layers::Embedding(50, 8, {.mask_zero = true, .input_length = 6}));
  model.add(SimpleRNN(4));
  model.add(Dense(1));
  model.build({6});
  const Sequential rebuilt = models::model_from_json(model.to_json());
  BOOST_TEST(rebuilt.to_json() == model.to_json());
  const auto& rebuilt_embedding = dynamic_cast<const layers::Embedding&>(rebuilt.layer(0));
  BOOST_TEST(rebuilt_embedding.mask_zero());
  BOOST_TEST(rebuilt_embedding.input_length() == 6);
  RNNKIT_CHECK_THROWS(
      layers::deserialize(Config::parse(R"({"class_name":"Embedding","config":{"input_dim":5}})")),
      std::invalid_argument, "Embedding", "output_dim");
}
