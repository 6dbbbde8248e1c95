#define BOOST_TEST_MODULE functional
#include <rnnkit/framework/autograd.h>
#include <rnnkit/framework/gradcheck.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/ops.h>
#include <rnnkit/layers/add.h>
#include <rnnkit/layers/concatenate.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/embedding.h>
#include <rnnkit/layers/masking.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/functional.h>
#include <rnnkit/models/input.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>

#include <boost/test/unit_test.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.h"

using namespace rnnkit;
using layers::Dense;
using layers::SimpleRNN;
using models::Input;
using models::Model;
using models::Shared;
using models::SymbolicTensor;
using testing::random_tensor;
using testing::route_variable_gradients;
using testing::same_values;

namespace {

constexpr DType f64 = DType::f64;

Tensor flat(const Tensor& t) { return t.reshape({t.numel()}); }

// Weights drawn from fixed seeds, one tensor per weight of `layer`, in weights() order.
std::vector<Tensor> seeded_weights(const layers::Layer& layer, std::uint64_t seed) {
  std::vector<Tensor> values;
  for (const Variable& weight : layer.weights()) {
    values.push_back(random_tensor(weight.value().shape(), f64, seed++, -0.7, 0.7));
  }
  return values;
}

// The gradient check of `model` over its inputs and every weight: inputs first, then the
// weights; every output takes part.
// `keep`, when given, multiplies the first input inside the checked function, so that steps it
// zeroes stay exactly at Masking's mask_value while finite differences perturb the others.
void check_model_gradients(Model& model, const std::vector<Tensor>& inputs,
                           const Tensor& keep = {}) {
  std::vector<Tensor> all = inputs;
  const std::vector<Tensor> weights = seeded_weights(model, 11);
  all.insert(all.end(), weights.begin(), weights.end());
  const std::size_t n = inputs.size();
  auto function = [&](const std::vector<Tensor>& in) {
    const std::vector<Tensor> w(in.begin() + static_cast<std::ptrdiff_t>(n), in.end());
    model.set_weights(w);
    std::vector<Tensor> x(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
    if (keep.defined()) x[0] = x[0] * keep;
    std::vector<Tensor> parts;
    for (const Tensor& y : model(x)) parts.push_back(flat(y));
    return route_variable_gradients(concat(parts, 0), model.weights(), w);
  };
  RNNKIT_CHECK_GRADIENTS(function, all);
}

}  // namespace

BOOST_AUTO_TEST_CASE(input_records_the_per_sample_shape_with_an_unknown_batch) {
  const SymbolicTensor x = Input({-1, 8}, {.batch_size = 0, .dtype = DType::f32, .name = "x"});
  BOOST_TEST((x.shape() == Shape{-1, -1, 8}));
  BOOST_TEST(x.name() == "x");
  BOOST_TEST((x.dtype() == DType::f32));
  const SymbolicTensor fixed = Input({5, 3}, {.batch_size = 4, .dtype = f64, .name = "fixed"});
  BOOST_TEST((fixed.shape() == Shape{4, 5, 3}));
}

BOOST_AUTO_TEST_CASE(a_symbolic_call_gives_keras_shapes_and_unpacks_return_state) {
  const SymbolicTensor x = Input({-1, 3}, {.name = "seq_in"});
  Shared rnn(SimpleRNN(4, {.return_sequences = true, .return_state = true}));
  auto [sequence, state] = rnn(x);
  BOOST_TEST((sequence.shape() == Shape{-1, -1, 4}));
  BOOST_TEST((state.shape() == Shape{-1, 4}));
  BOOST_TEST(state.index() == 1u);
  BOOST_TEST(rnn->built());  // built at graph-building time, as Keras does
  const SymbolicTensor y = Shared(Dense(2))(state);
  BOOST_TEST((y.shape() == Shape{-1, 2}));
  RNNKIT_CHECK_THROWS(static_cast<void>(SymbolicTensor(rnn(x))), std::logic_error, "gave 2");
}

BOOST_AUTO_TEST_CASE(sequential_and_functional_give_identical_outputs_in_float64) {
  models::Sequential sequential(SimpleRNN(4, {.dtype = f64}), Dense(2, {.dtype = f64}));
  sequential.build({6, 3});
  const SymbolicTensor x = Input({6, 3}, {.dtype = f64});
  const SymbolicTensor h = Shared(SimpleRNN(4, {.dtype = f64}))(x);
  Model model({x}, {Shared(Dense(2, {.dtype = f64}))(h)});
  const std::vector<Tensor> weights = seeded_weights(model, 3);
  BOOST_TEST_REQUIRE(weights.size() == sequential.get_weights().size());
  sequential.set_weights(weights);
  model.set_weights(weights);
  const Tensor data = random_tensor({5, 6, 3}, f64, 9);
  const Tensor expected = sequential.call(data).output;
  const Tensor got = model({data})[0];
  BOOST_TEST((got.shape() == Shape{5, 2}));
  BOOST_TEST(got.to_vector() == expected.to_vector());
}

BOOST_AUTO_TEST_CASE(weights_layers_and_get_layer_follow_the_graph) {
  const SymbolicTensor a = Input({3}, {.dtype = f64, .name = "a"});
  const SymbolicTensor b = Input({3}, {.dtype = f64, .name = "b"});
  Shared shared(Dense(2, {.name = "shared", .dtype = f64}));
  const SymbolicTensor sum = Shared(layers::Add({.dtype = f64}))({shared(a), shared(b)});
  Model model({a, b}, {sum}, "twin");
  BOOST_TEST(model.class_name() == "Functional");
  BOOST_TEST(model.name() == "twin");
  BOOST_TEST(model.layers().size() == 2u);  // the shared Dense once
  BOOST_TEST(model.weights().size() == 2u);
  BOOST_TEST(model.count_params() == 3 * 2 + 2);
  BOOST_TEST(&model.get_layer("shared") == &*shared);
  BOOST_TEST(model.get_layer("shared").weights()[0].name() == shared->weights()[0].name());
  RNNKIT_CHECK_THROWS(model.get_layer("nope"), std::invalid_argument, "nope", "shared");
  model.set_trainable(false);
  BOOST_TEST(model.trainable_weights().empty());
  BOOST_TEST(model.non_trainable_weights().size() == 2u);
  BOOST_TEST(!shared->trainable());
}

BOOST_AUTO_TEST_CASE(a_shared_layer_on_two_inputs_has_exact_gradients) {
  const SymbolicTensor a = Input({4, 3}, {.dtype = f64});
  const SymbolicTensor b = Input({4, 3}, {.dtype = f64});
  Shared rnn(SimpleRNN(3, {.dtype = f64}));
  const SymbolicTensor joined = Shared(layers::Concatenate({.dtype = f64}))({rnn(a), rnn(b)});
  Model model({a, b}, {Shared(Dense(1, {.dtype = f64}))(joined)});
  check_model_gradients(model,
                        {random_tensor({2, 4, 3}, f64, 1), random_tensor({2, 4, 3}, f64, 2)});
}

BOOST_AUTO_TEST_CASE(an_encoder_state_starts_the_decoder_with_exact_gradients) {
  const SymbolicTensor source = Input({5, 3}, {.dtype = f64, .name = "source"});
  const SymbolicTensor target = Input({4, 2}, {.dtype = f64, .name = "target"});
  auto [encoded, state] = Shared(SimpleRNN(3, {.return_state = true, .dtype = f64}))(source);
  const SymbolicTensor decoded = Shared(SimpleRNN(3, {.return_sequences = true, .dtype = f64}))(
      target, {.initial_state = {state}});
  Model model({source, target}, {Shared(Dense(2, {.dtype = f64}))(decoded)});
  BOOST_TEST((model.outputs()[0].shape() == Shape{-1, 4, 2}));
  check_model_gradients(model,
                        {random_tensor({2, 5, 3}, f64, 3), random_tensor({2, 4, 2}, f64, 4)});

  // The decoder really starts from the encoder's state: another source changes the output.
  const std::vector<Tensor> first =
      model({random_tensor({2, 5, 3}, f64, 3), random_tensor({2, 4, 2}, f64, 4)});
  const std::vector<Tensor> second =
      model({random_tensor({2, 5, 3}, f64, 5), random_tensor({2, 4, 2}, f64, 4)});
  BOOST_TEST(first[0].to_vector() != second[0].to_vector());
}

BOOST_AUTO_TEST_CASE(two_outputs_have_exact_gradients) {
  const SymbolicTensor x = Input({4, 3}, {.dtype = f64});
  const SymbolicTensor h = Shared(SimpleRNN(3, {.dtype = f64}))(x);
  const SymbolicTensor y1 = Shared(Dense(2, {.dtype = f64}))(h);
  const SymbolicTensor y2 = Shared(Dense(1, {.activation = "sigmoid", .dtype = f64}))(h);
  Model model({x}, {y1, y2});
  const std::vector<Tensor> out = model({random_tensor({2, 4, 3}, f64, 6)});
  BOOST_TEST(out.size() == 2u);
  BOOST_TEST((out[1].shape() == Shape{2, 1}));
  check_model_gradients(model, {random_tensor({2, 4, 3}, f64, 6)});
}

BOOST_AUTO_TEST_CASE(a_masked_input_reaches_the_rnn_and_has_exact_gradients) {
  const SymbolicTensor x = Input({5, 2}, {.dtype = f64});
  const SymbolicTensor masked = Shared(layers::Masking({.dtype = f64}))(x);
  const SymbolicTensor h = Shared(SimpleRNN(3, {.dtype = f64}))(masked);
  Model model({x}, {h});
  // Row 0: the last two steps are padding; row 1: a hole in the middle.
  Tensor keep = Tensor::ones({2, 5, 1}, f64);
  keep.set({0, 3, 0}, 0.0);
  keep.set({0, 4, 0}, 0.0);
  keep.set({1, 2, 0}, 0.0);
  const Tensor data = random_tensor({2, 5, 2}, f64, 7) * keep;
  // The masked steps are skipped: the output equals the RNN run on the real steps by hand.
  const Tensor out = model({data})[0];
  auto& rnn = static_cast<SimpleRNN&>(*model.layers()[1]);
  const Tensor by_hand = rnn(slice(data, 0, 0, 1).clone(), {});
  const Tensor short_row = rnn(slice(slice(data, 0, 0, 1), 1, 0, 3).clone());
  BOOST_TEST(flat(slice(out, 0, 0, 1)).to_vector() == flat(short_row).to_vector());
  BOOST_TEST(flat(slice(out, 0, 0, 1)).to_vector() != flat(by_hand).to_vector());
  check_model_gradients(model, {data}, keep);
}

BOOST_AUTO_TEST_CASE(an_rnn_with_return_sequences_hands_the_mask_on) {
  const SymbolicTensor ids = Input({-1}, {.dtype = DType::i64});
  const SymbolicTensor embedded =
      Shared(layers::Embedding(5, 2, {.mask_zero = true, .dtype = f64}))(ids);
  const SymbolicTensor seq =
      Shared(SimpleRNN(3, {.return_sequences = true, .dtype = f64}))(embedded);
  const SymbolicTensor last = Shared(SimpleRNN(2, {.dtype = f64}))(seq);
  Model model({ids}, {last, seq});
  const Tensor batch = Tensor::from_values(Shape{1, 4}, std::vector<std::int64_t>{3, 1, 0, 0});
  const layers::CallOutput out = model.forward_inputs({batch}, {}, false);
  BOOST_TEST(!out.masks[0].defined());  // a last-output RNN ends the mask
  BOOST_TEST_REQUIRE(out.masks[1].defined());
  BOOST_TEST((out.masks[1].to_vector() == std::vector<double>{1, 1, 0, 0}));
  // The mask is applied: the padded row gives what its two real ids give alone.
  const Tensor shorter = Tensor::from_values(Shape{1, 2}, std::vector<std::int64_t>{3, 1});
  testing::check_close(model({shorter})[0], out.outputs[0], 1e-12, 1e-14);
  BOOST_TEST(flat(model({batch}, {.masks = {}})[0]).to_vector() ==
             flat(out.outputs[0]).to_vector());
}

BOOST_AUTO_TEST_CASE(state_reuse_with_dropout_as_in_keras) {
  // Keras recurrent_test.test_state_reuse_with_dropout.
  const SymbolicTensor inputs = Input({3, 4}, {.batch_size = 2, .dtype = f64});
  Shared layer(SimpleRNN(
      3,
      {.dropout = 0.2, .return_sequences = true, .return_state = true, .seed = 1, .dtype = f64}));
  const models::SymbolicOutputs first = layer(inputs);
  const SymbolicTensor input2 = Input({3, 4}, {.batch_size = 2, .dtype = f64});
  const SymbolicTensor output =
      Shared(SimpleRNN(3, {.dtype = f64}))(input2, {.initial_state = {first[1]}});
  Model model({inputs, input2}, {output});
  const Tensor data = random_tensor({2, 3, 4}, f64, 8, 0.0, 1.0);
  const Tensor predicted = model({data, data})[0];
  BOOST_TEST((predicted.shape() == Shape{2, 3}));
  BOOST_TEST(model({data, data})[0].to_vector() == predicted.to_vector());  // no dropout
  const Tensor trained = model({data, data}, {.training = true})[0];
  BOOST_TEST(trained.to_vector() != predicted.to_vector());  // dropout on the first RNN
}

BOOST_AUTO_TEST_CASE(a_model_is_a_layer_inside_another_model) {
  const SymbolicTensor x = Input({4, 3}, {.dtype = f64});
  Model inner({x}, {Shared(SimpleRNN(2, {.dtype = f64}))(x)}, "inner");
  const SymbolicTensor outer_in = Input({4, 3}, {.dtype = f64});
  Shared nested(std::move(inner));
  const SymbolicTensor h = nested(outer_in);
  BOOST_TEST((h.shape() == Shape{-1, 2}));
  Model outer({outer_in}, {Shared(Dense(1, {.dtype = f64}))(h)});
  BOOST_TEST(outer.layers().size() == 2u);
  BOOST_TEST(outer.weights().size() == 5u);
  check_model_gradients(outer, {random_tensor({2, 4, 3}, f64, 12)});
}

BOOST_AUTO_TEST_CASE(gradients_reach_every_weight_and_input_in_float32) {
  const SymbolicTensor x = Input({4, 3});
  Model model({x}, {Shared(Dense(1))(Shared(SimpleRNN(3))(x))});
  const Tensor data = random_tensor({2, 4, 3}, DType::f32, 1);
  Tensor(data).set_requires_grad();
  sum(model({data})[0]).backward();
  BOOST_TEST(data.has_grad());
  for (const Variable& weight : model.weights()) BOOST_TEST(weight.value().has_grad());
}

BOOST_AUTO_TEST_CASE(merge_layers_follow_keras_mask_rules) {
  const Tensor a = random_tensor({1, 3, 2}, f64, 1);
  const Tensor b = random_tensor({1, 3, 2}, f64, 2);
  const Tensor m1 = Tensor::from_values(Shape{1, 3}, {1.0, 1.0, 0.0}, DType::boolean);
  const Tensor m2 = Tensor::from_values(Shape{1, 3}, {0.0, 1.0, 1.0}, DType::boolean);
  layers::Add add({.dtype = f64});
  const layers::CallOutput sum_out = add.forward_inputs({a, b}, {m1, m2}, false);
  BOOST_TEST((sum_out.masks[0].to_vector() == std::vector<double>{0, 1, 0}));
  BOOST_TEST(sum_out.outputs[0].to_vector() == (a + b).to_vector());
  BOOST_TEST(!add.forward_inputs({a, b}, {{}, {}}, false).masks[0].defined());
  BOOST_TEST((add.forward_inputs({a, b}, {{}, m2}, false).masks[0].to_vector() ==
              std::vector<double>{0, 1, 1}));

  layers::Concatenate last({.dtype = f64});
  const layers::CallOutput joined = last.forward_inputs({a, b}, {m1, {}}, false);
  BOOST_TEST((joined.outputs[0].shape() == Shape{1, 3, 4}));
  BOOST_TEST((joined.masks[0].to_vector() == std::vector<double>{1, 1, 0}));
  layers::Concatenate time({.axis = 1, .dtype = f64});
  const layers::CallOutput along_time = time.forward_inputs({a, b}, {m1, {}}, false);
  BOOST_TEST((along_time.outputs[0].shape() == Shape{1, 6, 2}));
  BOOST_TEST((along_time.masks[0].to_vector() == std::vector<double>{1, 1, 0, 1, 1, 1}));
}

BOOST_AUTO_TEST_CASE(merge_layers_have_exact_gradients_and_round_trip_their_configs) {
  const std::vector<Tensor> inputs{random_tensor({2, 3}, f64, 1), random_tensor({2, 3}, f64, 2)};
  layers::Add add({.dtype = f64});
  layers::Concatenate concatenate({.axis = 0, .dtype = f64});
  RNNKIT_CHECK_GRADIENTS([&](const std::vector<Tensor>& in) { return add(in) * add(in); }, inputs);
  RNNKIT_CHECK_GRADIENTS(
      [&](const std::vector<Tensor>& in) { return concatenate(in) * concatenate(in); }, inputs);
  BOOST_TEST((concatenate(inputs).shape() == Shape{4, 3}));
  for (const layers::Layer* layer : std::vector<const layers::Layer*>{&add, &concatenate}) {
    const Config config = layers::serialize(*layer);
    BOOST_TEST(layers::serialize(*layers::deserialize(config)).dump() == config.dump());
  }
  BOOST_TEST(concatenate.get_config().at("axis") == 0);
  BOOST_TEST(layers::Concatenate::from_config(concatenate.get_config()).axis() == 0);
}

BOOST_AUTO_TEST_CASE(merge_layers_refuse_bad_inputs) {
  layers::Add add;
  RNNKIT_CHECK_THROWS(add({Tensor::zeros({2, 3})}), std::invalid_argument, "at least 2", "given 1");
  RNNKIT_CHECK_THROWS(add({Tensor::zeros({2, 3}), Tensor::zeros({2, 4})}), std::invalid_argument,
                      "incompatible shapes", "[2, 3], [2, 4]");
  layers::Concatenate concatenate;
  RNNKIT_CHECK_THROWS(concatenate({Tensor::zeros({2, 3}), Tensor::zeros({3, 4})}),
                      std::invalid_argument, "matching shapes", "[2, 3], [3, 4]");
}

BOOST_AUTO_TEST_CASE(outputs_not_connected_to_the_inputs_are_refused) {
  const SymbolicTensor a = Input({3}, {.name = "first"});
  const SymbolicTensor b = Input({3}, {.name = "second"});
  const SymbolicTensor sum = Shared(layers::Add())({a, b});
  RNNKIT_CHECK_THROWS(Model({a}, {sum}), std::invalid_argument, "not connected", "'second'",
                      "[first]");
  RNNKIT_CHECK_THROWS(Model({a, a}, {sum}), std::invalid_argument, "'first' is given twice");
  RNNKIT_CHECK_THROWS(Model({sum}, {sum}), std::invalid_argument,
                      "inputs[0] must be a tensor made by Input");
  // The graph is unchanged: the right model still builds and runs.
  Model model({a, b}, {sum});
  BOOST_TEST((model({Tensor::ones({1, 3}), Tensor::ones({1, 3})})[0].to_vector() ==
              std::vector<double>{2, 2, 2}));
}

BOOST_AUTO_TEST_CASE(a_layer_called_on_the_wrong_shape_is_refused_at_graph_building_time) {
  Shared dense(Dense(2));
  const SymbolicTensor x = Input({3});
  const SymbolicTensor y = dense(x);
  const std::vector<Tensor> before = dense->get_weights();
  RNNKIT_CHECK_THROWS(dense(Input({5})), std::invalid_argument, "dense", "[-1, 5]");
  BOOST_TEST(same_values(dense->get_weights(), before));
  Shared rnn(SimpleRNN(2));
  RNNKIT_CHECK_THROWS(rnn(x), std::invalid_argument, "[-1, 3]");
  BOOST_TEST(!rnn->built());
  RNNKIT_CHECK_THROWS(Shared(layers::Add())({x, Input({4})}), std::invalid_argument,
                      "incompatible shapes");
  BOOST_TEST((y.shape() == Shape{-1, 2}));
}

BOOST_AUTO_TEST_CASE(model_calls_with_the_wrong_tensors_are_refused) {
  const SymbolicTensor a = Input({4, 3}, {.name = "seq"});
  const SymbolicTensor b = Input({2}, {.name = "state"});
  const SymbolicTensor h = Shared(SimpleRNN(2))(a, {.initial_state = {b}});
  Model model({a, b}, {h});
  const std::vector<Tensor> before = model.get_weights();
  RNNKIT_CHECK_THROWS(model({Tensor::zeros({1, 4, 3})}), std::invalid_argument,
                      "expects 2 input tensors", "given 1");
  RNNKIT_CHECK_THROWS(model({Tensor::zeros({1, 5, 3}), Tensor::zeros({1, 2})}),
                      std::invalid_argument, "'seq'", "[-1, 4, 3]", "[1, 5, 3]");
  RNNKIT_CHECK_THROWS(
      model({Tensor::zeros({1, 4, 3}), Tensor::zeros({1, 2})}, {.masks = {Tensor()}}),
      std::invalid_argument, "one per input");
  BOOST_TEST(same_values(model.get_weights(), before));
  BOOST_TEST((model({Tensor::zeros({1, 4, 3}), Tensor::zeros({1, 2})})[0].shape() == Shape{1, 2}));
}

BOOST_AUTO_TEST_CASE(summary_lists_what_each_call_is_connected_to) {
  const SymbolicTensor a = Input({3}, {.name = "a"});
  const SymbolicTensor b = Input({3}, {.name = "b"});
  Shared shared(Dense(2, {.name = "proj"}));
  Model model({a, b}, {Shared(layers::Add({.name = "plus"}))({shared(a), shared(b)})}, "m");
  std::ostringstream out;
  model.summary(out);
  const std::string text = out.str();
  BOOST_TEST(text.find("Connected to") != std::string::npos);
  BOOST_TEST(text.find("a (InputLayer)") != std::string::npos);
  // The shared layer has one row listing both of its calls' inputs.
  BOOST_TEST(
      text.find("proj (Dense)                 (None, 2)                 8          ['a[0][0]',") !=
      std::string::npos);
  BOOST_TEST(text.find(" 'b[0][0]']") != std::string::npos);
  BOOST_TEST(text.find("['proj[0][0]',") != std::string::npos);
  BOOST_TEST(text.find("'proj[1][0]']") != std::string::npos);
  BOOST_TEST(text.find("Total params: 8") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_functional_config_round_trips_with_keras_keys) {
  const SymbolicTensor source = Input({5, 3}, {.dtype = f64, .name = "src"});
  const SymbolicTensor target = Input({-1, 2}, {.dtype = f64, .name = "tgt"});
  auto [encoded, state] =
      Shared(SimpleRNN(3, {.return_state = true, .name = "enc", .dtype = f64}))(source);
  Shared shared(Dense(3, {.name = "proj", .dtype = f64}));
  const SymbolicTensor decoded =
      Shared(SimpleRNN(3, {.return_sequences = true, .name = "dec", .dtype = f64}))(
          target, {.initial_state = {shared(state)}});
  const SymbolicTensor twice = shared(encoded);
  Model model({source, target}, {decoded, twice}, "seq2seq");
  const Config config = model.get_config();
  BOOST_TEST(config.at("layers").size() == 5u);  // two InputLayers, enc, proj, dec
  BOOST_TEST(config.at("layers")[0].at("class_name") == "InputLayer");
  BOOST_TEST(config.at("layers")[1].at("config").at("batch_input_shape").dump() == "[null,null,2]");
  BOOST_TEST(config.at("layers")[4].at("inbound_nodes").dump() ==
             R"([[["tgt",0,0,{}],["proj",0,0,{}]]])");
  BOOST_TEST(config.at("layers")[3].at("inbound_nodes").dump() ==
             R"([[["enc",0,1,{}]],[["enc",0,0,{}]]])");
  BOOST_TEST(config.at("output_layers").dump() == R"([["dec",0,0],["proj",1,0]])");

  Model restored = models::functional_from_json(model.to_json());
  BOOST_TEST(restored.get_config().dump() == config.dump());
  restored.set_weights(model.get_weights());
  const std::vector<Tensor> x{random_tensor({2, 5, 3}, f64, 1), random_tensor({2, 4, 2}, f64, 2)};
  const std::vector<Tensor> a = model(x);
  const std::vector<Tensor> b = restored(x);
  BOOST_TEST(a[0].to_vector() == b[0].to_vector());
  BOOST_TEST(a[1].to_vector() == b[1].to_vector());

  // Keras 2.2-2.3 and TensorFlow.js name the class "Model".
  Config legacy{{"class_name", "Model"}, {"config", config}};
  BOOST_TEST(models::functional_from_json(legacy.dump()).layers().size() == 3u);
}

BOOST_AUTO_TEST_CASE(bad_functional_configs_are_refused_naming_the_problem) {
  const SymbolicTensor x = Input({3}, {.name = "in"});
  Model model({x}, {Shared(Dense(2, {.name = "d"}))(x)});
  Config config = model.get_config();
  config["layers"][1]["inbound_nodes"][0][0][0] = "ghost";
  RNNKIT_CHECK_THROWS(Model::from_config(config), std::invalid_argument, "'d'", "'ghost'");
  RNNKIT_CHECK_THROWS(models::functional_from_json(R"({"class_name": "Sequential", "config": {}})"),
                      std::invalid_argument, "\"Sequential\"", "model_from_json");
  RNNKIT_CHECK_THROWS(models::model_from_json(model.to_json()), std::invalid_argument,
                      "\"Functional\"", "functional_from_json");
  Config wrong_output = model.get_config();
  wrong_output["output_layers"][0][2] = 3;
  RNNKIT_CHECK_THROWS(Model::from_config(wrong_output), std::invalid_argument, "output_layers",
                      "[\"d\",0,3]");
}

// The README's training step for a functional model ("What is not supported").
BOOST_AUTO_TEST_CASE(a_hand_written_training_step_trains_a_functional_model) {
  const SymbolicTensor source = Input({5, 3});
  const SymbolicTensor target = Input({-1, 2});
  auto [encoded, state] = Shared(SimpleRNN(4, {.return_state = true}))(source);
  const SymbolicTensor decoded =
      Shared(SimpleRNN(4, {.return_sequences = true}))(target, {.initial_state = {state}});
  Model model({source, target}, {Shared(Dense(2))(decoded)});
  const Tensor xs = random_tensor({8, 5, 3}, DType::f32, 1);
  const Tensor ys = random_tensor({8, 4, 2}, DType::f32, 2);
  const Tensor targets = random_tensor({8, 4, 2}, DType::f32, 3, -0.5, 0.5);

  optim::Adam adam({.learning_rate = 1e-2});
  losses::MeanSquaredError mse;
  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < 100; ++step) {
    const std::vector<Tensor> y = model({xs, ys}, {.training = true});
    Tensor loss = mse(targets, y[0]);
    for (const Tensor& penalty : model.losses()) loss = loss + penalty;  // regularizers, if any
    loss.backward();
    std::vector<Variable> weights = model.trainable_weights();
    adam.apply(weights);
    for (Variable& w : weights) w.zero_grad();
    if (step == 0) first = loss.item();
    last = loss.item();
  }
  BOOST_TEST(last < 0.5 * first, "loss " << first << " -> " << last);
}

BOOST_AUTO_TEST_CASE(losses_hold_weight_penalties_and_the_activity_terms_of_the_call) {
  const SymbolicTensor x = Input({3}, {.dtype = f64});
  Shared dense(Dense(2, {.kernel_regularizer = regularizers::L2(0.5),
                         .activity_regularizer = regularizers::L1(0.25),
                         .dtype = f64}));
  Model model({x}, {dense(x)});
  model.set_weights({Tensor::ones({3, 2}, f64), Tensor::zeros({2}, f64)});
  BOOST_TEST(model.losses().size() == 1u);  // before a call: the kernel penalty only
  BOOST_TEST(model.losses()[0].item() == 0.5 * 6.0);
  const Tensor data = Tensor::from_values(Shape{2, 3}, {1.0, 1.0, 1.0, 0.0, 0.0, -1.0}, f64);
  static_cast<void>(model({data}));
  BOOST_TEST_REQUIRE(model.losses().size() == 2u);
  // outputs [[3, 3], [-1, -1]]: 0.25 * (3 + 3 + 1 + 1) / batch 2
  BOOST_TEST(model.losses()[1].item() == 1.0);
}

BOOST_AUTO_TEST_CASE(a_nested_model_round_trips_through_its_config) {
  const SymbolicTensor x = Input({4, 3}, {.dtype = f64, .name = "inner_in"});
  Model inner({x}, {Shared(SimpleRNN(2, {.name = "inner_rnn", .dtype = f64}))(x)}, "inner");
  const SymbolicTensor outer_in = Input({4, 3}, {.dtype = f64, .name = "outer_in"});
  const SymbolicTensor h = Shared(std::move(inner))(outer_in);
  Model outer({outer_in}, {Shared(Dense(1, {.name = "outer_head", .dtype = f64}))(h)}, "outer");
  const Config config = outer.get_config();
  BOOST_TEST(config.at("layers")[1].at("class_name") == "Functional");
  Model restored = models::functional_from_json(outer.to_json());
  BOOST_TEST(restored.get_config().dump() == config.dump());
  restored.set_weights(outer.get_weights());
  const Tensor data = random_tensor({2, 4, 3}, f64, 4);
  BOOST_TEST(restored({data})[0].to_vector() == outer({data})[0].to_vector());
}

BOOST_AUTO_TEST_CASE(layers_follow_keras_depth_order_not_call_order) {
  const SymbolicTensor x = Input({3}, {.dtype = f64});
  const SymbolicTensor direct = Shared(Dense(3, {.name = "a", .dtype = f64}))(x);
  const SymbolicTensor first = Shared(Dense(4, {.name = "b", .dtype = f64}))(x);
  const SymbolicTensor second = Shared(Dense(3, {.name = "c", .dtype = f64}))(first);
  Model model({x}, {Shared(layers::Add({.name = "sum", .dtype = f64}))({direct, second})});
  // Depths from the output: sum 0, a and c 1, b 2 (Keras: [input, b, a, c, sum]).
  std::vector<std::string> names;
  for (const layers::Layer* layer : model.layers()) names.push_back(layer->name());
  BOOST_TEST((names == std::vector<std::string>{"b", "a", "c", "sum"}));
  BOOST_TEST((model.weights()[0].value().shape() == Shape{3, 4}));  // b's kernel comes first
}

BOOST_AUTO_TEST_CASE(input_refuses_bad_shapes_batch_sizes_and_dtypes) {
  RNNKIT_CHECK_THROWS(Input({0, 3}, {.name = "z"}), std::invalid_argument, "Input 'z'",
                      ">= 1 or -1", "[0, 3]");
  RNNKIT_CHECK_THROWS(Input({3}, {.batch_size = -2, .name = "b"}), std::invalid_argument,
                      "batch_size", "-2");
  RNNKIT_CHECK_THROWS(Input({3}, {.dtype = DType::boolean, .name = "m"}), std::invalid_argument,
                      "float32, float64 or int64", "bool");
  const SymbolicTensor x = Input({3});
  const models::SymbolicOutputs outs = Shared(Dense(2))(x);
  BOOST_CHECK_THROW(static_cast<void>(outs[1]), std::out_of_range);
  RNNKIT_CHECK_THROWS(Shared(Dense(2))(x, {.initial_state = {x}}), std::invalid_argument,
                      "takes 1 input tensor, given 2");
}
