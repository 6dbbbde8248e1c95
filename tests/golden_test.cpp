// The Keras golden cases: every *.json in $RNNKIT_GOLDEN_DIR (default tests/golden) is run and
// compared within the tolerance it states. One line per case; a case that cannot be run, an
// unknown field or an empty directory fails.
#define BOOST_TEST_MODULE golden
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include <fmt/format.h>

#include <rnnkit/rnnkit.h>

#include "golden_json.h"

using namespace rnnkit;
using namespace rnnkit::golden;

namespace {

// The fields every case has; run_case reads them itself.
void declare_common_fields(Fields& top) {
  for (const char* key : {"schema", "kind", "name", "tolerance"}) top.required(key);
  top.optional("note");
}

struct Outcome {
  Comparison comparison;
  std::string variant;
};

// Every regularizer object may carry both factors (schema: {"name", "l1", "l2"}); a factor the
// named regularizer does not have must be 0, else the case contradicts itself.
regularizers::AnyRegularizer make_regularizer(const Json& value, const std::string& path) {
  Fields f(value, path);
  const std::string name = string(f.required("name"), path + ".name");
  const Json* l1 = f.optional("l1");
  const Json* l2 = f.optional("l2");
  f.finish();
  const auto factor = [&](const Json* v, const char* key) {
    return v ? number(*v, path + "." + key) : 0.01;
  };
  const auto require_zero = [&](const Json* v, const char* key) {
    if (v && number(*v, path + "." + key) != 0.0) {
      throw SchemaError(
          fmt::format("{}: regularizer \"{}\" has no {} factor, but {} = {} (expected 0)", path,
                      name, key, key, v->dump()));
    }
  };
  if (name == "l1") {
    require_zero(l2, "l2");
    return regularizers::L1(factor(l1, "l1"));
  }
  if (name == "l2") {
    require_zero(l1, "l1");
    return regularizers::L2(factor(l2, "l2"));
  }
  if (name == "l1_l2") return regularizers::L1L2(factor(l1, "l1"), factor(l2, "l2"));
  throw SchemaError(
      fmt::format("{}: unknown regularizer \"{}\" (expected l1, l2 or l1_l2)", path, name));
}

constraints::AnyConstraint make_constraint(const Json& value, const std::string& path) {
  Fields f(value, path);
  const std::string name = string(f.required("name"), path + ".name");
  const auto get = [&](const char* key, double fallback) {
    const Json* v = f.optional(key);
    return v ? number(*v, path + "." + key) : fallback;
  };
  constraints::AnyConstraint out;
  if (name == "max_norm") {
    out = constraints::MaxNorm({.max_value = get("max_value", 2.0),
                                .axis = static_cast<std::int64_t>(get("axis", 0))});
  } else if (name == "unit_norm") {
    out = constraints::UnitNorm({.axis = static_cast<std::int64_t>(get("axis", 0))});
  } else if (name == "non_neg") {
    out = constraints::NonNeg();
  } else if (name == "min_max_norm") {
    out = constraints::MinMaxNorm({.min_value = get("min_value", 0.0),
                                   .max_value = get("max_value", 1.0),
                                   .rate = get("rate", 1.0),
                                   .axis = static_cast<std::int64_t>(get("axis", 0))});
  } else if (name == "radial_constraint") {
    out = constraints::RadialConstraint();
  } else {
    throw SchemaError(fmt::format("{}: unknown constraint \"{}\"", path, name));
  }
  f.finish();
  return out;
}

// Builds the optimizer a case names. The schema lets any optimizer carry any of its listed
// fields; those the named optimizer has no use for (e.g. rho for sgd) are type-checked and then
// ignored. A field outside the schema's list is an error.
optim::AnyOptimizer make_optimizer(const Json& value, const std::string& path) {
  Fields f(value, path);
  const std::string name = string(f.required("name"), path + ".name");
  const auto maybe = [&](const char* key) -> std::optional<double> {
    const Json* v = f.optional(key);
    return v ? std::optional<double>(number(*v, path + "." + key)) : std::nullopt;
  };
  const auto flag = [&](const char* key) {
    const Json* v = f.optional(key);
    return v ? boolean(*v, path + "." + key) : false;
  };
  const auto learning_rate = maybe("learning_rate");
  const auto momentum = maybe("momentum");
  const bool nesterov = flag("nesterov");
  const auto beta_1 = maybe("beta_1");
  const auto beta_2 = maybe("beta_2");
  const auto epsilon = maybe("epsilon");
  const bool amsgrad = flag("amsgrad");
  const auto rho = maybe("rho");
  const bool centered = flag("centered");
  const auto initial_accumulator_value = maybe("initial_accumulator_value");
  const auto clipnorm = maybe("clipnorm");
  const auto clipvalue = maybe("clipvalue");
  const auto global_clipnorm = maybe("global_clipnorm");
  f.finish();
  if (name == "sgd") {
    return optim::SGD({.learning_rate = learning_rate.value_or(0.01),
                       .momentum = momentum.value_or(0.0), .nesterov = nesterov,
                       .clipnorm = clipnorm, .clipvalue = clipvalue,
                       .global_clipnorm = global_clipnorm});
  }
  if (name == "adam") {
    return optim::Adam({.learning_rate = learning_rate.value_or(0.001),
                        .beta_1 = beta_1.value_or(0.9), .beta_2 = beta_2.value_or(0.999),
                        .epsilon = epsilon.value_or(1e-7), .amsgrad = amsgrad,
                        .clipnorm = clipnorm, .clipvalue = clipvalue,
                        .global_clipnorm = global_clipnorm});
  }
  if (name == "rmsprop") {
    return optim::RMSprop({.learning_rate = learning_rate.value_or(0.001),
                           .rho = rho.value_or(0.9), .momentum = momentum.value_or(0.0),
                           .epsilon = epsilon.value_or(1e-7), .centered = centered,
                           .clipnorm = clipnorm, .clipvalue = clipvalue,
                           .global_clipnorm = global_clipnorm});
  }
  if (name == "adagrad") {
    return optim::Adagrad({.learning_rate = learning_rate.value_or(0.001),
                           .initial_accumulator_value = initial_accumulator_value.value_or(0.1),
                           .epsilon = epsilon.value_or(1e-7), .clipnorm = clipnorm,
                           .clipvalue = clipvalue, .global_clipnorm = global_clipnorm});
  }
  throw SchemaError(fmt::format(
      "{}: unknown optimizer \"{}\" (expected sgd, adam, rmsprop or adagrad)", path, name));
}

// Runs every call of a simple_rnn case on one layer object of `dtype`.
Comparison run_simple_rnn_as(const Json& root, Comparison comparison, DType dtype) {
  Fields top(root, "case");
  declare_common_fields(top);
  Fields config(top.required("config"), "config");
  layers::SimpleRNNOptions options{
      .units = static_cast<std::int64_t>(number(config.required("units"), "config.units")),
      .activation = string(config.required("activation"), "config.activation"),
      .use_bias = boolean(config.required("use_bias"), "config.use_bias"),
  };
  for (const char* key : {"kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                          "activity_regularizer"}) {
    const Json* value = config.optional(key);
    if (!value) continue;
    auto regularizer = make_regularizer(*value, std::string("config.") + key);
    if (std::string_view(key) == "kernel_regularizer") options.kernel_regularizer = regularizer;
    if (std::string_view(key) == "recurrent_regularizer") options.recurrent_regularizer = regularizer;
    if (std::string_view(key) == "bias_regularizer") options.bias_regularizer = regularizer;
    if (std::string_view(key) == "activity_regularizer") options.activity_regularizer = regularizer;
  }
  options.return_sequences = boolean(config.required("return_sequences"), "config.return_sequences");
  options.return_state = boolean(config.required("return_state"), "config.return_state");
  options.go_backwards = boolean(config.required("go_backwards"), "config.go_backwards");
  options.stateful = boolean(config.required("stateful"), "config.stateful");
  options.unroll = boolean(config.required("unroll"), "config.unroll");
  options.dtype = dtype;
  config.finish();

  Fields weights(top.required("weights"), "weights");
  std::vector<Tensor> weight_values{tensor(weights.required("kernel"), "weights.kernel", dtype),
                                    tensor(weights.required("recurrent_kernel"), "weights.recurrent_kernel", dtype)};
  if (options.use_bias) weight_values.push_back(tensor(weights.required("bias"), "weights.bias", dtype));
  weights.finish();

  layers::SimpleRNN rnn(options);
  const Json& calls = top.required("calls");
  top.finish();
  if (!calls.is_array() || calls.empty()) throw SchemaError("calls: expected a non-empty array");
  for (std::size_t c = 0; c < calls.size(); ++c) {
    const std::string at = fmt::format("calls[{}]", c);
    Fields call(calls[c], at);
    Tensor x = tensor(call.required("inputs"), at + ".inputs", dtype).set_requires_grad();
    if (!rnn.built()) {
      rnn.build(x.shape());
      rnn.set_weights(weight_values);
    }
    layers::RNNCallOptions call_options;
    if (const Json* mask = call.optional("mask")) {
      call_options.mask = tensor(*mask, at + ".mask", DType::boolean);
    }
    Tensor h0;
    if (const Json* state = call.optional("initial_state")) {
      h0 = tensor(*state, at + ".initial_state", dtype).set_requires_grad();
      call_options.initial_state = {h0};
    }
    if (const Json* reset = call.optional("reset_states_before"); reset && boolean(*reset, at)) {
      rnn.reset_states();
    }
    call_options.training = boolean(call.required("training"), at + ".training");
    for (Variable w : rnn.weights()) w.zero_grad();

    layers::RNNOutput result = rnn(x, call_options);
    std::vector<Tensor> outputs{result.output};
    outputs.insert(outputs.end(), result.states.begin(), result.states.end());
    const Json& expected_outputs = call.required("outputs");
    const Json& loss_weights = call.required("loss_weights");
    if (!expected_outputs.is_array() || expected_outputs.size() != outputs.size() ||
        !loss_weights.is_array() || loss_weights.size() != outputs.size()) {
      throw SchemaError(fmt::format("{}: the layer returns {} tensors; outputs and loss_weights must list as many",
                                    at, outputs.size()));
    }
    Tensor loss = Tensor::scalar(0.0, dtype);
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      const std::string out_at = fmt::format("{}.outputs[{}]", at, k);
      comparison.compare(out_at, outputs[k], tensor(expected_outputs[k], out_at, dtype));
      loss = add(loss, sum(mul(outputs[k], tensor(loss_weights[k], out_at + ".loss_weights", dtype))));
    }
    comparison.compare(at + ".loss", loss.item(), number(call.required("loss"), at + ".loss"));
    loss.backward();

    Fields gradients(call.required("gradients"), at + ".gradients");
    const auto grad_of = [](const Tensor& t) {
      return t.has_grad() ? t.grad() : Tensor::zeros(t.shape(), t.dtype());
    };
    const auto check_gradient = [&](const std::string& key, const Tensor& of) {
      comparison.compare(at + ".gradients." + key, grad_of(of),
                         tensor(gradients.required(key), at + ".gradients." + key, dtype));
    };
    const auto layer_weights = rnn.weights();
    check_gradient("inputs", x);
    check_gradient("kernel", layer_weights[0].value());
    check_gradient("recurrent_kernel", layer_weights[1].value());
    if (options.use_bias) check_gradient("bias", layer_weights[2].value());
    if (h0.defined()) check_gradient("initial_state", h0);
    gradients.finish();

    if (const Json* expected = call.optional("regularization_loss")) {
      double total = 0.0;
      for (const Tensor& term : rnn.losses()) total += term.item();
      comparison.compare(at + ".regularization_loss", total, number(*expected, at + ".regularization_loss"));
    }
    call.finish();
  }
  return comparison;
}

std::vector<Outcome> run_simple_rnn(const Json& root, const Comparison& tolerance) {
  return {{run_simple_rnn_as(root, tolerance, DType::f32), "float32"},
          {run_simple_rnn_as(root, tolerance, DType::f64), "float64"}};
}

std::vector<Outcome> run_regularizer(const Json& root, const Comparison& tolerance) {
  std::vector<Outcome> outcomes;
  for (DType dtype : {DType::f32, DType::f64}) {
    Fields top(root, "case");
    declare_common_fields(top);
    auto regularizer = make_regularizer(top.required("regularizer"), "regularizer");
    Tensor input = tensor(top.required("input"), "input", dtype);
    const double expected = number(top.required("expected_loss"), "expected_loss");
    top.finish();
    Comparison comparison = tolerance;
    comparison.compare("loss", regularizer(input).item(), expected);
    outcomes.push_back({comparison, std::string(dtype_name(dtype))});
  }
  return outcomes;
}

std::vector<Outcome> run_constraint(const Json& root, const Comparison& tolerance) {
  std::vector<Outcome> outcomes;
  for (DType dtype : {DType::f32, DType::f64}) {
    Fields top(root, "case");
    declare_common_fields(top);
    auto constraint = make_constraint(top.required("constraint"), "constraint");
    Tensor input = tensor(top.required("input"), "input", dtype);
    Tensor expected = tensor(top.required("expected"), "expected", dtype);
    top.finish();
    Comparison comparison = tolerance;
    comparison.compare("constrained", constraint(input), expected);
    outcomes.push_back({comparison, std::string(dtype_name(dtype))});
  }
  return outcomes;
}

std::vector<Outcome> run_optimizer(const Json& root, const Comparison& tolerance) {
  std::vector<Outcome> outcomes;
  for (DType dtype : {DType::f32, DType::f64}) {
    Fields top(root, "case");
    declare_common_fields(top);
    optim::AnyOptimizer optimizer = make_optimizer(top.required("optimizer"), "optimizer");
    const Json& initial = top.required("initial");
    const Json& steps = top.required("steps");
    top.finish();
    if (!initial.is_array() || !steps.is_array() || steps.empty()) {
      throw SchemaError("initial and steps must be arrays, steps non-empty");
    }
    std::vector<Variable> variables;
    for (std::size_t i = 0; i < initial.size(); ++i) {
      variables.emplace_back(fmt::format("w{}", i), tensor(initial[i], fmt::format("initial[{}]", i), dtype));
    }
    Comparison comparison = tolerance;
    for (std::size_t s = 0; s < steps.size(); ++s) {
      const std::string at = fmt::format("steps[{}]", s);
      Fields step(steps[s], at);
      const Json& gradients = step.required("gradients");
      const Json& expected = step.required("expected");
      step.finish();
      if (gradients.size() != variables.size() || expected.size() != variables.size()) {
        throw SchemaError(fmt::format("{}: expected one gradient and one result per parameter", at));
      }
      for (std::size_t i = 0; i < variables.size(); ++i) {
        variables[i].zero_grad();
        variables[i].value().backward(tensor(gradients[i], fmt::format("{}.gradients[{}]", at, i), dtype));
      }
      optimizer->apply(variables);
      for (std::size_t i = 0; i < variables.size(); ++i) {
        const std::string what = fmt::format("{}.expected[{}]", at, i);
        comparison.compare(what, variables[i].value(), tensor(expected[i], what, dtype));
      }
    }
    outcomes.push_back({comparison, std::string(dtype_name(dtype))});
  }
  return outcomes;
}

// A model's Keras JSON with every layer's dtype (and its cell's or wrapped layer's) set to
// `dtype`, so that the float64 run builds float64 layers.
Json with_dtype(Json model, DType dtype) {
  const std::string name(dtype_name(dtype));
  if (!model.contains("config") || !model["config"].contains("layers")) {
    throw SchemaError("model: expected {\"class_name\", \"config\": {\"layers\", ...}}");
  }
  for (Json& layer : model["config"]["layers"]) {
    Json& config = layer["config"];
    config["dtype"] = name;
    for (const char* inner : {"cell", "layer"}) {
      if (config.contains(inner) && config[inner].is_object()) {
        config[inner]["config"]["dtype"] = name;
      }
    }
  }
  return model;
}

// A model case in `dtype`: the JSON read with functional_from_json, the weights set per layer,
// one call, then L = sum_k sum(outputs[k] * loss_weights[k]) and its gradients.
Comparison run_model_as(const Json& root, Comparison comparison, DType dtype) {
  Fields top(root, "case");
  declare_common_fields(top);
  models::Model model =
      models::functional_from_json(with_dtype(top.required("model"), dtype).dump());
  const Json& weights = top.required("weights");
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::string at = fmt::format("weights[{}]", i);
    Fields entry(weights[i], at);
    const std::string layer = string(entry.required("layer"), at + ".layer");
    const Json& values = entry.required("weights");
    entry.finish();
    std::vector<Tensor> tensors;
    for (std::size_t w = 0; w < values.size(); ++w) {
      tensors.push_back(tensor(values[w], fmt::format("{}.weights[{}]", at, w), dtype));
    }
    model.get_layer(layer).set_weights(tensors);
  }
  const Json& inputs = top.required("inputs");
  std::vector<Tensor> x;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    x.push_back(tensor(inputs[i], fmt::format("inputs[{}]", i), dtype).set_requires_grad());
  }
  const std::vector<Tensor> outputs = model(x);
  const Json& expected_outputs = top.required("outputs");
  const Json& loss_weights = top.required("loss_weights");
  if (expected_outputs.size() != outputs.size() || loss_weights.size() != outputs.size()) {
    throw SchemaError(
        fmt::format("the model gives {} outputs; the case lists {} outputs and {} "
                    "loss_weights",
                    outputs.size(), expected_outputs.size(), loss_weights.size()));
  }
  Tensor loss = Tensor::scalar(0.0, dtype);
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const std::string at = fmt::format("outputs[{}]", k);
    comparison.compare(at, outputs[k], tensor(expected_outputs[k], at, dtype));
    loss =
        loss + sum(outputs[k] * tensor(loss_weights[k], fmt::format("loss_weights[{}]", k), dtype));
  }
  comparison.compare("loss", loss.item(), number(top.required("loss"), "loss"));
  loss.backward();
  Fields gradients(top.required("gradients"), "gradients");
  const Json& input_gradients = gradients.required("inputs");
  const Json& weight_gradients = gradients.required("weights");
  gradients.finish();
  top.finish();
  if (input_gradients.size() != x.size() || weight_gradients.size() != weights.size()) {
    throw SchemaError("gradients: expected one entry per input and per weights entry");
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (input_gradients[i].is_null()) continue;  // a masked input: not differentiable
    const std::string at = fmt::format("gradients.inputs[{}]", i);
    comparison.compare(at, x[i].grad(), tensor(input_gradients[i], at, dtype));
  }
  for (std::size_t i = 0; i < weight_gradients.size(); ++i) {
    const std::string at = fmt::format("gradients.weights[{}]", i);
    Fields entry(weight_gradients[i], at);
    const std::string layer = string(entry.required("layer"), at + ".layer");
    const Json& values = entry.required("gradients");
    entry.finish();
    const std::vector<Variable> variables = model.get_layer(layer).weights();
    if (values.size() != variables.size()) {
      throw SchemaError(fmt::format("{}: layer '{}' has {} weights, the case lists {} gradients",
                                    at, layer, variables.size(), values.size()));
    }
    for (std::size_t w = 0; w < values.size(); ++w) {
      const std::string what = fmt::format("{}.gradients[{}]", at, w);
      comparison.compare(what, variables[w].value().grad(), tensor(values[w], what, dtype));
    }
  }
  return comparison;
}

std::vector<Outcome> run_model(const Json& root, const Comparison& tolerance) {
  return {{run_model_as(root, tolerance, DType::f32), "float32"},
          {run_model_as(root, tolerance, DType::f64), "float64"}};
}

// The model cases that need the next issue's layer classes: until they exist, each must be
// refused with an error naming its missing class, and that refusal is the expected outcome.
const std::map<std::string, std::string>& expected_refusals() {
  static const std::map<std::string, std::string> refusals{
      {"model_bidirectional_concat_dense.json", "Bidirectional"},
      {"model_stacked_cells_sequences.json", "StackedRNNCells"}};
  return refusals;
}

std::filesystem::path golden_directory() {
  const char* from_environment = std::getenv("RNNKIT_GOLDEN_DIR");
  return from_environment && *from_environment ? std::filesystem::path(from_environment)
                                               : std::filesystem::path(RNNKIT_DEFAULT_GOLDEN_DIR);
}

// Runs one file; returns whether it passed and prints its line.
bool run_case(const std::filesystem::path& file) {
  using Runner = std::function<std::vector<Outcome>(const Json&, const Comparison&)>;
  static const std::map<std::string, Runner> runners{{"simple_rnn", run_simple_rnn},
                                                     {"regularizer", run_regularizer},
                                                     {"constraint", run_constraint},
                                                     {"optimizer", run_optimizer},
                                                     {"model", run_model}};
  std::string name = file.filename().string();
  const auto refusal = expected_refusals().find(name);
  try {
    std::ifstream in(file);
    const Json root = Json::parse(in);
    if (string(root.at("schema"), "schema") != "rnnkit-golden/1") {
      throw SchemaError("unknown schema \"" + root.at("schema").get<std::string>() + "\"");
    }
    name = string(root.at("name"), "name");
    const std::string kind = string(root.at("kind"), "kind");
    auto runner = runners.find(kind);
    if (runner == runners.end()) throw SchemaError("unknown kind \"" + kind + "\"");
    Fields tolerance(root.at("tolerance"), "tolerance");
    const Comparison limits(number(tolerance.required("rtol"), "tolerance.rtol"),
                            number(tolerance.required("atol"), "tolerance.atol"));
    tolerance.finish();
    bool passed = true;
    std::string detail;
    const std::vector<Outcome> outcomes = runner->second(root, limits);
    if (refusal != expected_refusals().end()) {
      fmt::print("FAIL {:<28}  ran, but was expected to be refused for lacking {}\n", name,
                 refusal->second);
      return false;
    }
    for (const Outcome& outcome : outcomes) {
      passed = passed && outcome.comparison.passed();
      detail += fmt::format("  {} worst {:.3g} of tolerance at {}", outcome.variant,
                            outcome.comparison.worst(), outcome.comparison.worst_at());
    }
    fmt::print("{} {:<28}{}\n", passed ? "PASS" : "FAIL", name, detail);
    return passed;
  } catch (const std::exception& error) {
    const std::string message = error.what();
    if (refusal != expected_refusals().end() &&
        message.find("\"" + refusal->second + "\"") != std::string::npos) {
      fmt::print("PASS {:<28}  refused as expected (no {} yet): {}\n", name, refusal->second,
                 message);
      return true;
    }
    fmt::print("FAIL {:<28}  cannot run: {}\n", name, error.what());
    return false;
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_golden_case_passes) {
  const auto directory = golden_directory();
  BOOST_TEST_REQUIRE(std::filesystem::is_directory(directory),
                     "golden directory " << directory << " does not exist");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  BOOST_TEST_REQUIRE(!files.empty(), "no *.json golden case in " << directory);
  std::size_t failed = 0;
  for (const auto& file : files) {
    if (!run_case(file)) ++failed;
  }
  fmt::print("golden: {} passed, {} failed\n", files.size() - failed, failed);
  BOOST_TEST(failed == 0u, failed << " golden case(s) failed");
}
