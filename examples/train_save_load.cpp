#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

#include <CLI/CLI.hpp>

using namespace rnnkit;

int main(int argc, char** argv) {
  CLI::App app("Trains a SimpleRNN on sequence means, saves it to ./mean.rnnkit, reloads it.");
  CLI11_PARSE(app, argc, argv);  // --help: the usage, and nothing trained or written
  set_global_seed(42);
  Generator data(7);
  const Tensor x = Tensor::uniform({512, 10, 1}, -1.0, 1.0, data);  // 512 sequences, 10 steps
  const Tensor y = mean(x, 1);                                      // target: each one's mean

  models::Sequential model(layers::SimpleRNN(16), layers::Dense(1));
  model.compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});
  model.fit(x, y,
            {.batch_size = 32,
             .epochs = 20,
             .callbacks = {callbacks::EarlyStopping({.patience = 3})},
             .validation_split = 0.2});
  model.save("mean.rnnkit");

  models::Sequential restored = models::load_model("mean.rnnkit");
  const bool same = restored.predict(x).to_vector() == model.predict(x).to_vector();
  const double mse = restored.evaluate(x, y, {.verbose = 0}).at("loss");
  fmt::print("restored model: mse {:.5f}, predictions identical: {}\n", mse, same);
  return same && mse < 0.01 ? 0 : 1;
}
