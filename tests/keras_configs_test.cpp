#define BOOST_TEST_MODULE keras_configs
#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/messages.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/layers/activation.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/dropout.h>
#include <rnnkit/layers/flatten.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "test_support.h"

using namespace rnnkit;
using rnnkit::testing::random_tensor;

namespace {

// The Keras files of tests/keras_files (their sources are in that folder's README.md).
std::string fixture(const std::string& file) {
  const char* source = std::getenv("RNNKIT_SOURCE_DIR");
  BOOST_TEST_REQUIRE(source != nullptr, "RNNKIT_SOURCE_DIR is not set (run through ctest)");
  std::ifstream in(std::string(source) + "/tests/keras_files/" + file);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string initializer_class(const initializers::AnyInitializer& initializer) {
  return initializer.get().class_name();
}

// A Sequential config in Keras 2.9's form with one layer entry.
std::string one_layer_model(const std::string& layer) {
  return R"({"class_name": "Sequential", "config": {"name": "m", "layers": [)" + layer + "]}}";
}

std::string simple_rnn_with(const std::string& extra) {
  return one_layer_model(R"({"class_name": "SimpleRNN", "config": {"name": "rnn", "units": 3)" +
                         extra + "}}");
}

}  // namespace

// --- the real files, field by field against the JSON as read by hand ---

BOOST_AUTO_TEST_CASE(keras_1_2_2_bare_list_with_keras_1_argument_names) {
  models::Sequential model =
      models::model_from_json(fixture("dl4j_k1.2.2_h5attr_simple_rnn_tensorflow_1.json"));
  BOOST_TEST_REQUIRE(model.size() == 1u);
  const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
  BOOST_TEST(rnn.name() == "simplernn_1");
  BOOST_TEST(rnn.units() == 6);  // output_dim
  BOOST_TEST(rnn.activation().name() == "tanh");
  BOOST_TEST(initializer_class(rnn.kernel_initializer()) == "GlorotUniform");  // init
  BOOST_TEST(initializer_class(rnn.recurrent_initializer()) == "Orthogonal");  // inner_init
  BOOST_TEST(!rnn.kernel_regularizer());                                       // W_regularizer
  BOOST_TEST(rnn.dropout() == 0.0);                                            // dropout_W
  BOOST_TEST(rnn.recurrent_dropout() == 0.0);                                  // dropout_U
  BOOST_TEST(!rnn.return_sequences());
  BOOST_TEST(model.built());
  BOOST_TEST(model.input_shape() == (Shape{4, 1}));
  BOOST_TEST(rnn.dtype() == DType::f32);  // input_dtype
}

BOOST_AUTO_TEST_CASE(keras_2_0_8_bare_list) {
  models::Sequential model = models::model_from_json(
      fixture("dl4j_k2.0.8_configs_keras2_simple_rnn_tf_keras_2_config.json"));
  BOOST_TEST_REQUIRE(model.size() == 2u);
  const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
  BOOST_TEST(rnn.name() == "simple_rnn_1");
  BOOST_TEST(rnn.units() == 50);
  BOOST_TEST(rnn.use_bias());
  BOOST_TEST(rnn.dropout() == 0.2);
  BOOST_TEST(rnn.return_sequences());
  BOOST_TEST(initializer_class(rnn.recurrent_initializer()) == "VarianceScaling");
  const Config vs = rnn.recurrent_initializer().get().get_config();
  BOOST_TEST(vs["mode"] == "fan_avg");
  BOOST_TEST(vs["distribution"] == "uniform");
  const auto& dense = dynamic_cast<const layers::Dense&>(model.layer(1));
  BOOST_TEST(dense.name() == "dense_1");
  BOOST_TEST(dense.units() == 1);
  BOOST_TEST(dense.activation().name() == "linear");
  BOOST_TEST(model.input_shape() == (Shape{1, 1}));
  BOOST_TEST(model.output_shapes().back() == (Shape{25, 1, 1}));  // batch_input_shape [25, 1, 1]
}

BOOST_AUTO_TEST_CASE(keras_2_1_3_files) {
  for (const std::string file : {"dl4j_k2.1.3_simple_rnn_tf_keras_2_config.json",
                                 "dl4j_k2.1.3_h5attr_simple_rnn_tf_keras_2_model.json"}) {
    BOOST_TEST_CONTEXT(file) {
      models::Sequential model = models::model_from_json(fixture(file));
      BOOST_TEST_REQUIRE(model.size() == 2u);
      const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
      BOOST_TEST(rnn.units() == 50);
      BOOST_TEST(!rnn.return_sequences());
      BOOST_TEST(rnn.dropout() == 0.2);
      BOOST_TEST(initializer_class(rnn.recurrent_initializer()) == "Orthogonal");
      BOOST_TEST(model.layer(1).name() == "dense_1");
      BOOST_TEST(model.output_shapes().back() == (Shape{25, 1}));
    }
  }
  for (const std::string file : {"dl4j_k2.1.3_h5attr_simple_rnn_tensorflow_2.json",
                                 "dl4j_k2.1.3_h5attr_simple_rnn_theano_2.json"}) {
    BOOST_TEST_CONTEXT(file) {
      models::Sequential model = models::model_from_json(fixture(file));
      BOOST_TEST_REQUIRE(model.size() == 1u);
      const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
      BOOST_TEST(rnn.units() == 6);
      BOOST_TEST(rnn.dropout() == 0.0);
      BOOST_TEST(model.input_shape() == (Shape{4, 1}));
      BOOST_TEST(model.output_shapes().back() == (Shape{-1, 6}));
    }
  }
}

BOOST_AUTO_TEST_CASE(keras_2_1_3_flatten_files) {
  for (const std::string file : {"dl4j_k2.1.3_simple_flatten_rnn_tf_keras_2_config.json",
                                 "dl4j_k2.1.3_h5attr_simple_flatten_rnn_tf_keras_2_model.json"}) {
    BOOST_TEST_CONTEXT(file) {
      models::Sequential model = models::model_from_json(fixture(file));
      BOOST_TEST_REQUIRE(model.size() == 3u);
      BOOST_TEST(dynamic_cast<const layers::SimpleRNN&>(model.layer(0)).return_sequences());
      const auto& flatten = dynamic_cast<const layers::Flatten&>(model.layer(1));
      BOOST_TEST(flatten.name() == "flatten_1");
      BOOST_TEST(flatten.data_format() == "channels_last");
      // [25, 1, 50] flattened to [25, 50], then Dense(1).
      BOOST_TEST(model.output_shapes()[1] == (Shape{25, 50}));
      BOOST_TEST(dynamic_cast<const layers::Dense&>(model.layer(2)).kernel().value().shape() ==
                 (Shape{50, 1}));
    }
  }
}

BOOST_AUTO_TEST_CASE(keras_3_12_keras_file_config) {
  models::Sequential model = models::model_from_json(fixture("SaiSrikar0_rnn_model_config.json"));
  BOOST_TEST_REQUIRE(model.size() == 3u);  // the InputLayer is the model's input
  BOOST_TEST(model.name() == "sequential");
  BOOST_TEST(model.input_shape() == (Shape{12, 1}));  // batch_shape [null, 12, 1]
  const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
  BOOST_TEST(rnn.units() == 32);
  BOOST_TEST(!rnn.return_sequences());
  BOOST_TEST(rnn.dtype() == DType::f32);  // a DTypePolicy dict
  BOOST_TEST(initializer_class(rnn.kernel_initializer()) == "GlorotUniform");
  const auto& dropout = dynamic_cast<const layers::Dropout&>(model.layer(1));
  BOOST_TEST(dropout.name() == "dropout");
  BOOST_TEST(dropout.rate() == 0.1);
  BOOST_TEST(dropout.noise_shape().empty());
  BOOST_TEST(!dropout.seed());
  const auto& dense = dynamic_cast<const layers::Dense&>(model.layer(2));
  BOOST_TEST(dense.units() == 1);
  BOOST_TEST(dense.activation().name() == "linear");
  BOOST_TEST(model.count_params() == (1 * 32 + 32 * 32 + 32) + (32 + 1));
}

BOOST_AUTO_TEST_CASE(keras_3_9_keras_file_config) {
  models::Sequential model = models::model_from_json(fixture("Msdl1610_rnn_model_config.json"));
  BOOST_TEST_REQUIRE(model.size() == 6u);
  BOOST_TEST(model.input_shape() == (Shape{60, 1}));
  const auto& first = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
  BOOST_TEST(first.units() == 64);
  BOOST_TEST(first.return_sequences());
  BOOST_TEST(dynamic_cast<const layers::Dropout&>(model.layer(1)).rate() == 0.2);
  const auto& second = dynamic_cast<const layers::SimpleRNN&>(model.layer(2));
  BOOST_TEST(second.name() == "simple_rnn_1");
  BOOST_TEST(second.units() == 32);
  BOOST_TEST(!second.return_sequences());
  BOOST_TEST(model.layer(3).name() == "dropout_1");
  const auto& hidden = dynamic_cast<const layers::Dense&>(model.layer(4));
  BOOST_TEST(hidden.units() == 16);
  BOOST_TEST(hidden.activation().name() == "relu");
  BOOST_TEST(dynamic_cast<const layers::Dense&>(model.layer(5)).units() == 1);
  BOOST_TEST(model.output_shapes().back() == (Shape{-1, 1}));
}

// --- the rules one by one ---

BOOST_AUTO_TEST_CASE(bare_list_sequential) {
  models::Sequential model = models::model_from_json(
      R"({"class_name": "Sequential", "config": [{"class_name": "Dense", "config":
          {"name": "d", "units": 2, "batch_input_shape": [null, 3]}}]})");
  BOOST_TEST(model.size() == 1u);
  BOOST_TEST(model.input_shape() == (Shape{3}));
}

BOOST_AUTO_TEST_CASE(input_layer_batch_shape_and_batch_input_shape) {
  const std::string dense = R"({"class_name": "Dense", "config": {"name": "d", "units": 2}})";
  for (const std::string key : {"batch_shape", "batch_input_shape"}) {
    BOOST_TEST_CONTEXT(key) {
      models::Sequential model = models::model_from_json(
          one_layer_model(R"({"class_name": "InputLayer", "config": {")" + key +
                          R"(": [4, 5, 3], "dtype": "float32", "sparse": false, "ragged": false,
                             "name": "in"}}, )" +
                          dense));
      BOOST_TEST(model.input_shape() == (Shape{5, 3}));
      BOOST_TEST(model.output_shapes().back() == (Shape{4, 5, 2}));
    }
  }
  // An Embedding model's integer input.
  const models::Sequential ids = models::model_from_json(one_layer_model(
      R"({"class_name": "InputLayer", "config": {"batch_shape": [null, 6], "dtype": "int32",
          "name": "in"}}, {"class_name": "Embedding", "config": {"name": "e", "input_dim": 9,
          "output_dim": 2}})"));
  BOOST_TEST(ids.output_shapes().back() == (Shape{-1, 6, 2}));
  RNNKIT_CHECK_THROWS(models::model_from_json(one_layer_model(
                          R"({"class_name": "InputLayer", "config": {"name": "in"}}, )" + dense)),
                      std::invalid_argument, "InputLayer 'in'", "batch_shape", "batch_input_shape");
  RNNKIT_CHECK_THROWS(
      models::model_from_json(one_layer_model(
          R"({"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "ragged": true,
              "name": "in"}}, )" +
          dense)),
      std::invalid_argument, "InputLayer 'in'", "ragged", "must be false");
  RNNKIT_CHECK_THROWS(
      models::model_from_json(one_layer_model(
          R"({"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "sparse": true,
              "name": "in"}}, )" +
          dense)),
      std::invalid_argument, "sparse", "must be false");
  RNNKIT_CHECK_THROWS(
      models::model_from_json(one_layer_model(
          R"({"class_name": "InputLayer", "config": {"batch_shape": [null, 0], "name": "in"}}, )" +
          dense)),
      std::invalid_argument, "batch_shape", "positive integer");
}

BOOST_AUTO_TEST_CASE(dtype_policies) {
  const auto policy = [](const std::string& name) {
    return R"(, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": ")" +
           name + R"("}, "registered_name": null})";
  };
  BOOST_TEST(models::model_from_json(simple_rnn_with(policy("float32"))).layer(0).dtype() ==
             DType::f32);
  BOOST_TEST(models::model_from_json(simple_rnn_with(policy("float64"))).layer(0).dtype() ==
             DType::f64);
  const std::string tf_keras_policy =
      R"(, "dtype": {"module": "keras.mixed_precision", "class_name": "Policy", "config":
          {"name": "float64"}, "registered_name": null})";
  BOOST_TEST(models::model_from_json(simple_rnn_with(tf_keras_policy)).layer(0).dtype() ==
             DType::f64);
  RNNKIT_CHECK_THROWS(models::model_from_json(simple_rnn_with(policy("mixed_float16"))),
                      std::invalid_argument, "'rnn'", "SimpleRNN", "dtype", "mixed_float16");
  RNNKIT_CHECK_THROWS(
      models::model_from_json(simple_rnn_with(
          R"(, "dtype": {"class_name": "QuantizedDTypePolicy", "config": {"name": "int8_from_float32"}})")),
      std::invalid_argument, "QuantizedDTypePolicy", "int8_from_float32");
  RNNKIT_CHECK_THROWS(models::model_from_json(simple_rnn_with(R"(, "dtype": "int32")")),
                      std::invalid_argument, "'rnn'", "dtype", "int32");
}

BOOST_AUTO_TEST_CASE(quantization_config) {
  const std::string dense = R"({"class_name": "Dense", "config": {"name": "d", "units": 2, )";
  BOOST_TEST(
      models::model_from_json(one_layer_model(dense + R"("quantization_config": null}})")).size() ==
      1u);
  const std::string embedding =
      R"({"class_name": "Embedding", "config": {"name": "e", "input_dim": 5, "output_dim": 2, )";
  BOOST_TEST(
      models::model_from_json(one_layer_model(embedding + R"("quantization_config": null}})"))
          .size() == 1u);
  RNNKIT_CHECK_THROWS(models::model_from_json(
                          one_layer_model(dense + R"("quantization_config": {"mode": "int8"}}})")),
                      std::invalid_argument, "'d'", "Dense", "quantization_config", "must be null");
}

BOOST_AUTO_TEST_CASE(orthogonal_initializer_class_name) {
  const models::Sequential model = models::model_from_json(
      simple_rnn_with(R"(, "recurrent_initializer": {"module": "keras.initializers",
          "class_name": "OrthogonalInitializer", "config": {"gain": 2.0, "seed": 3}})"));
  const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
  BOOST_TEST(initializer_class(rnn.recurrent_initializer()) == "Orthogonal");
  BOOST_TEST(rnn.recurrent_initializer().get().get_config()["gain"] == 2.0);
}

BOOST_AUTO_TEST_CASE(tfjs_model_json) {
  const std::string model =
      R"({"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "Dense",
          "config": {"name": "d", "units": 2, "batch_input_shape": [null, 3]}}]}})";
  for (const std::string& text :
       {R"({"format": "layers-model", "generatedBy": "keras v2.15.0", "modelTopology":
           {"keras_version": "2.15.0", "backend": "tensorflow", "model_config": )" +
            model + R"(}, "weightsManifest": []})",
        R"({"modelTopology": )" + model + R"(, "weightsManifest": []})"}) {
    models::Sequential loaded = models::model_from_json(text);
    BOOST_TEST(loaded.name() == "s");
    BOOST_TEST(loaded.layer(0).name() == "d");
    BOOST_TEST(loaded.input_shape() == (Shape{3}));
  }
}

BOOST_AUTO_TEST_CASE(keras_1_argument_names) {
  const models::Sequential model = models::model_from_json(
      one_layer_model(R"({"class_name": "SimpleRNN", "config": {"name": "r", "output_dim": 4,
          "init": "he_normal", "inner_init": "identity", "W_regularizer": {"class_name": "L2",
          "config": {"l2": 0.5}}, "U_regularizer": null, "b_regularizer": null,
          "dropout_W": 0.25, "dropout_U": 0.5, "consume_less": "gpu", "input_dim": 3,
          "input_length": 7}})"));
  const auto& rnn = dynamic_cast<const layers::SimpleRNN&>(model.layer(0));
  BOOST_TEST(model.input_shape() == (Shape{7, 3}));  // input_length, input_dim
  BOOST_TEST(rnn.units() == 4);
  BOOST_TEST(initializer_class(rnn.kernel_initializer()) == "HeNormal");
  BOOST_TEST(initializer_class(rnn.recurrent_initializer()) == "Identity");
  BOOST_TEST(rnn.kernel_regularizer().get()->get_config()["l2"] == 0.5);
  BOOST_TEST(rnn.dropout() == 0.25);
  BOOST_TEST(rnn.recurrent_dropout() == 0.5);
  models::Sequential dense = models::model_from_json(one_layer_model(
      R"({"class_name": "Dense", "config": {"name": "d", "output_dim": 2, "bias": false,
          "input_dim": 5}})"));
  BOOST_TEST(dense.input_shape() == (Shape{5}));
  BOOST_TEST(!dynamic_cast<const layers::Dense&>(dense.layer(0)).use_bias());
  models::Sequential dropout = models::model_from_json(
      one_layer_model(R"({"class_name": "Dropout", "config": {"name": "x", "p": 0.3}})"));
  BOOST_TEST(dynamic_cast<const layers::Dropout&>(dropout.layer(0)).rate() == 0.3);
  RNNKIT_CHECK_THROWS(models::model_from_json(simple_rnn_with(R"(, "output_dim": 4)")),
                      std::invalid_argument, "'rnn'", "SimpleRNN", "output_dim", "units");
}

BOOST_AUTO_TEST_CASE(what_rnnkit_lacks_is_refused_naming_the_layer) {
  RNNKIT_CHECK_THROWS(models::model_from_json(one_layer_model(
                          R"({"class_name": "LSTM", "config": {"name": "lstm_1", "units": 4}})")),
                      std::invalid_argument, "'lstm_1'", "LSTM", "unknown class_name");
  RNNKIT_CHECK_THROWS(
      models::model_from_json(one_layer_model(
          R"({"module": null, "class_name": "MyLayer", "registered_name": "Custom>MyLayer",
              "config": {"name": "mine"}})")),
      std::invalid_argument, "'mine'", "MyLayer");
  RNNKIT_CHECK_THROWS(models::model_from_json(simple_rnn_with(R"(, "activation": "my_act")")),
                      std::invalid_argument, "'rnn'", "SimpleRNN", "activation", "my_act");
  // A later bad layer: nothing is returned, whatever came before it.
  RNNKIT_CHECK_THROWS(
      models::model_from_json(
          R"({"class_name": "Sequential", "config": [{"class_name": "Dense", "config":
              {"name": "ok", "units": 2}}, {"class_name": "GRU", "config": {"name": "g"}}]})"),
      std::invalid_argument, "layer 1 'g' (class GRU)");
  RNNKIT_CHECK_THROWS(models::model_from_json(R"({"class_name": "Sequential", "config": 3})"),
                      std::invalid_argument, "\"layers\" list");
}

// --- the new layers ---

BOOST_AUTO_TEST_CASE(dropout_layer) {
  const Tensor x = Tensor::ones({200, 50}, DType::f64);
  layers::Dropout dropout(0.25, {.seed = 5, .dtype = DType::f64});
  BOOST_TEST(dropout(x).to_vector() == x.to_vector());  // inference: identity
  const std::vector<double> y = dropout(x, true).to_vector();
  std::size_t zeros = 0;
  for (double v : y) {
    BOOST_TEST((v == 0.0 || std::abs(v - 1.0 / 0.75) < 1e-12));
    zeros += v == 0.0;
  }
  BOOST_TEST(std::abs(static_cast<double>(zeros) / y.size() - 0.25) < 0.02);
  // noise_shape {-1, 1}: one draw per row, shared along the row.
  layers::Dropout rows(0.5, {.noise_shape = {-1, 1}, .seed = 1, .dtype = DType::f64});
  const Tensor z = rows(x, true);
  for (std::int64_t r = 0; r < 200; ++r) BOOST_TEST(z.at({r, 0}) == z.at({r, 49}));
  // A refused layer draws no default name.
  layers::reset_layer_names();
  RNNKIT_CHECK_THROWS(layers::Dropout(1.0), std::invalid_argument, "rate", "[0, 1)", "1");
  BOOST_TEST(layers::Dropout(0.5).name() == "dropout");
  RNNKIT_CHECK_THROWS(rows(Tensor::ones({2, 3, 4}), true), std::invalid_argument, "noise_shape",
                      "[2, 3, 4]");
  // The mask passes through.
  const Tensor mask = not_equal(Tensor::from_values({2, 1}, std::vector<double>{1, 0}), 0.0);
  BOOST_TEST(dropout.forward(Tensor::ones({2, 1}), mask, true).mask.impl() == mask.impl());
}

BOOST_AUTO_TEST_CASE(dropout_gradient) {
  const std::vector<Tensor> inputs{random_tensor({4, 3})};
  RNNKIT_CHECK_GRADIENTS(
      [](const std::vector<Tensor>& in) {
        layers::Dropout dropout(0.4, {.seed = 9, .dtype = DType::f64});
        return dropout(in[0], true);
      },
      inputs);
}

BOOST_AUTO_TEST_CASE(flatten_layer) {
  const Tensor x =
      Tensor::from_values({1, 2, 3}, std::vector<double>{1, 2, 3, 4, 5, 6}, DType::f64);
  layers::Flatten last;
  BOOST_TEST(last(x).shape() == (Shape{1, 6}));
  BOOST_TEST(last(x).to_vector() == (std::vector<double>{1, 2, 3, 4, 5, 6}));
  layers::Flatten first({.data_format = "channels_first"});
  BOOST_TEST(first(x).to_vector() == (std::vector<double>{1, 4, 2, 5, 3, 6}));
  BOOST_TEST(last(Tensor::ones({4})).shape() == (Shape{4, 1}));
  const Tensor mask = not_equal(Tensor::ones({1, 2}), 0.0);
  std::ostringstream warnings;
  {
    const ScopedMessageSink sink(warnings);
    BOOST_TEST(!last.forward(x, mask, false).mask.defined());  // dropped, as Keras does
    BOOST_TEST(!last.forward(x, mask, false).mask.defined());
    BOOST_TEST(!last.forward(x, Tensor(), false).mask.defined());
  }
  BOOST_TEST(warnings.str() == "Flatten '" + last.name() +
                                   "': the input's mask is dropped (Flatten does not support "
                                   "masking); the layers after it see no mask\n");
  RNNKIT_CHECK_THROWS(layers::Flatten({.data_format = "nchw"}), std::invalid_argument,
                      "data_format", "nchw");
  const std::vector<Tensor> inputs{random_tensor({2, 3, 4})};
  RNNKIT_CHECK_GRADIENTS(
      [](const std::vector<Tensor>& in) {
        layers::Flatten flatten({.data_format = "channels_first", .dtype = DType::f64});
        return flatten(in[0]);
      },
      inputs);
}

BOOST_AUTO_TEST_CASE(activation_layer) {
  const Tensor x = Tensor::from_values({1, 3}, std::vector<double>{-1, 0, 2}, DType::f64);
  layers::Activation relu("relu", {.dtype = DType::f64});
  BOOST_TEST(relu(x).to_vector() == (std::vector<double>{0, 0, 2}));
  RNNKIT_CHECK_THROWS(layers::Activation("tanhh"), std::invalid_argument, "tanhh");
  const std::vector<Tensor> inputs{random_tensor({3, 4})};
  RNNKIT_CHECK_GRADIENTS(
      [](const std::vector<Tensor>& in) {
        layers::Activation tanh_layer("tanh", {.dtype = DType::f64});
        return tanh_layer(in[0]);
      },
      inputs);
}

BOOST_AUTO_TEST_CASE(new_layers_round_trip_with_keras_key_order) {
  layers::Dropout dropout(0.3, {.noise_shape = {-1, 1, 4}, .seed = 2, .name = "drop"});
  BOOST_TEST(
      layers::serialize(dropout).dump() ==
      R"({"class_name":"Dropout","config":{"name":"drop","trainable":true,"dtype":"float32","rate":0.3,"noise_shape":[null,1,4],"seed":2}})");
  const auto round = layers::deserialize(layers::serialize(dropout));
  BOOST_TEST(round->get_config() == dropout.get_config());
  layers::Flatten flatten({.data_format = "channels_first", .name = "f"});
  BOOST_TEST(layers::deserialize(layers::serialize(flatten))->get_config() == flatten.get_config());
  BOOST_TEST(
      layers::serialize(flatten).dump() ==
      R"({"class_name":"Flatten","config":{"name":"f","trainable":true,"dtype":"float32","data_format":"channels_first"}})");
  layers::Activation activation("softmax", {.name = "a"});
  BOOST_TEST(
      layers::serialize(activation).dump() ==
      R"({"class_name":"Activation","config":{"name":"a","trainable":true,"dtype":"float32","activation":"softmax"}})");
  BOOST_TEST(layers::deserialize(layers::serialize(activation))->get_config() ==
             activation.get_config());
}

BOOST_AUTO_TEST_CASE(a_loaded_keras_3_model_predicts_and_trains) {
  models::Sequential model = models::model_from_json(fixture("SaiSrikar0_rnn_model_config.json"));
  const Tensor x = random_tensor({8, 12, 1}, DType::f32, 3);
  // Dropout is the identity in inference: the same output twice, and the model's output equals
  // the layers' own, Dropout skipped.
  const std::vector<double> first = model(x).to_vector();
  BOOST_TEST(model(x).to_vector() == first);
  auto& rnn = dynamic_cast<layers::SimpleRNN&>(model.layer(0));
  auto& dense = dynamic_cast<layers::Dense&>(model.layer(2));
  BOOST_TEST(dense(rnn(x)).to_vector() == first);
  // In training it drops: rate 0.1 of the 8 x 32 rnn outputs is about 26 zeros.
  const Tensor dropped = model.layer(1).forward(rnn(x), {}, true).outputs.front();
  std::size_t zeros = 0;
  for (double v : dropped.to_vector()) zeros += v == 0.0;
  BOOST_TEST(zeros > 0u);
  BOOST_TEST(zeros < 64u);
  model.compile({.optimizer = "adam", .loss = "mse"});
  const models::History history =
      model.fit(x, random_tensor({8, 1}, DType::f32, 4), {.batch_size = 4, .verbose = 0});
  BOOST_TEST(history.at("loss").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_model_of_the_new_layers_round_trips_through_json) {
  models::Sequential model(layers::SimpleRNN(4, {.return_sequences = true}),
                           layers::Dropout(0.25, {.noise_shape = {-1, 1, -1}}), layers::Flatten(),
                           layers::Activation("relu"), layers::Dense(2));
  model.build({3, 2});
  const std::string json = model.to_json();
  models::Sequential loaded = models::model_from_json(json);
  BOOST_TEST(loaded.to_json() == json);
  BOOST_TEST(loaded.output_shapes()[2] == (Shape{-1, 12}));  // [T=3, units=4] flattened
  BOOST_TEST(loaded.count_params() == model.count_params());
}
