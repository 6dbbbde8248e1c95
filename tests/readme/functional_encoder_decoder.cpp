#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

using namespace rnnkit;

int main() {
  set_global_seed(1);
  // An encoder whose final state starts a decoder (Keras's functional API).
  auto source = models::Input({5, 3}, {.name = "source"});
  auto target = models::Input({-1, 2}, {.name = "target"});  // any number of steps
  auto [encoded, state] = models::Shared(layers::SimpleRNN(8, {.return_state = true}))(source);
  auto decoded = models::Shared(layers::SimpleRNN(8, {.return_sequences = true}))(
      target, {.initial_state = {state}});
  models::Model model({source, target}, {models::Shared(layers::Dense(2))(decoded)}, "seq2seq");
  model.summary();

  Generator data(7);
  const Tensor xs = Tensor::uniform({32, 5, 3}, -1.0, 1.0, data);
  const Tensor ys = Tensor::uniform({32, 4, 2}, -1.0, 1.0, data);
  const Tensor targets = Tensor::uniform({32, 4, 2}, -0.5, 0.5, data);

  // No compile/fit for functional models yet: a training step by hand.
  optim::Adam adam({.learning_rate = 1e-2});
  losses::MeanSquaredError mse;
  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < 200; ++step) {
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
  fmt::print("seq2seq: mse {:.4f} -> {:.4f}\n", first, last);
  return last < 0.5 * first ? 0 : 1;
}
