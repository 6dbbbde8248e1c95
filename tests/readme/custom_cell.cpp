#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

using namespace rnnkit;

// A cell with two states: h, its output, and m, a moving average of h that feeds back in.
// h' = tanh(x·K + h·R + m·P), m' = 0.9·m + 0.1·h'.
class AveragingCell : public layers::AbstractRNNCell {
 public:
  explicit AveragingCell(std::int64_t units = 16, double initial_average = 0.5)
      : AbstractRNNCell({}, "averaging_cell"), units_(units), initial_average_(initial_average) {}

  std::string class_name() const override { return "AveragingCell"; }
  std::vector<std::int64_t> state_size() const override { return {units_, units_}; }  // h, m
  std::int64_t output_size() const override { return units_; }

  // One timestep's shape, [batch, features]; the batch is -1 when it is not known yet.
  void build(const Shape& input_shape) override {
    kernel_ = add_weight("kernel", {input_shape[1], units_}, "glorot_uniform");
    recurrent_kernel_ = add_weight("recurrent_kernel", {units_, units_}, "orthogonal");
    average_kernel_ = add_weight("average_kernel", {units_, units_}, "glorot_uniform",
                                 regularizers::L2(1e-4));  // its penalty joins the loss
  }

  layers::CellOutput call(const Tensor& x, const std::vector<Tensor>& states, bool) override {
    const Tensor h =
        tanh(matmul(x, kernel_.value()) + matmul(states[0], recurrent_kernel_.value()) +
             matmul(states[1], average_kernel_.value()));
    return {h, {h, states[1] * 0.9 + h * 0.1}};
  }

  // h starts at zero, the average at initial_average (the default would be zeros for both).
  std::vector<Tensor> get_initial_state(std::int64_t batch_size, DType dtype) const override {
    return {Tensor::zeros({batch_size, units_}, dtype),
            Tensor::full({batch_size, units_}, initial_average_, dtype)};
  }

 private:
  std::int64_t units_;
  double initial_average_;
  Variable kernel_, recurrent_kernel_, average_kernel_;
};

int main() {
  set_global_seed(42);
  Generator data(7);
  const Tensor x = Tensor::uniform({512, 10, 1}, -1.0, 1.0, data);
  const Tensor y = mean(x, 1);

  // Braces, not parentheses: `models::Sequential model(layers::RNN(AveragingCell()));` would
  // declare a function (C++'s "most vexing parse").
  models::Sequential model{layers::RNN(AveragingCell())};
  model.add(layers::Dense(1));
  model.compile({.optimizer = "adam", .loss = "mse"});
  model.fit(x, y, {.batch_size = 32, .epochs = 20, .verbose = 0});
  const double mse = model.evaluate(x, y, {.verbose = 0}).at("loss");

  // Called by itself, the layer returns both final states with return_state.
  layers::RNN rnn(AveragingCell(4), {.return_state = true});
  const layers::RNNOutput result = rnn(x);  // output [512, 4]; states h and m, each [512, 4]
  fmt::print("custom cell: mse {:.5f}, {} states of shape {}\n", mse, result.states.size(),
             shape_str(result.states.at(1).shape()));
  return mse < 0.01 && result.states.size() == 2 ? 0 : 1;
}
