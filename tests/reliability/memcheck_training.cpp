// The program the memcheck test runs under valgrind: a few training steps of a small model on
// all three SimpleRNN paths (the fused oneDNN primitive, the step loop of autograd ops that
// unroll selects, and the stepped recurrence that recurrent dropout selects), then save,
// load_model, save_weights and load_weights. Exits 1 when a reloaded model predicts differently
// from the one that was saved.
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <vector>

using namespace rnnkit;

namespace {

bool same(const Tensor& a, const Tensor& b) { return a.to_vector() == b.to_vector(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: memcheck_training <scratch file path>\n");
    return 2;
  }
  try {
    const std::filesystem::path path = argv[1];
    set_global_seed(1);
    Generator generator(2);
    const Tensor x = Tensor::uniform({16, 5, 3}, -1.0, 1.0, generator);
    const Tensor y = Tensor::uniform({16, 1}, -1.0, 1.0, generator);
    models::Sequential model(
        layers::SimpleRNN({.units = 8, .return_sequences = true}),
        layers::SimpleRNN({.units = 6, .return_sequences = true, .unroll = true}),
        layers::SimpleRNN({.units = 4, .recurrent_dropout = 0.2}), layers::Dense(1));
    model.compile({.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse"});
    model.fit(x, y, {.batch_size = 4, .epochs = 2, .verbose = 0});
    const Tensor expected = model.predict(x);

    model.save(path);
    models::Sequential restored = models::load_model(path);
    const bool model_file_ok = same(restored.predict(x), expected);

    model.save_weights(path, true);
    restored.load_weights(path);
    const bool weights_file_ok = same(restored.predict(x), expected);
    std::filesystem::remove(path);

    if (!model_file_ok || !weights_file_ok) {
      std::fprintf(stderr, "memcheck_training: a reloaded model predicts differently\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "memcheck_training: %s\n", error.what());
    return 1;
  }
}
