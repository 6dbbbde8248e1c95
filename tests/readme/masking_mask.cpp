#include <fmt/ranges.h>
#include <rnnkit/rnnkit.h>

using namespace rnnkit;

int main() {
  // Two sequences of 4 steps with 2 features; the second is padded with zeros after 2 steps.
  const Tensor x = Tensor::from_values({2, 4, 2}, {1, 2, 3, 4, 5, 6, 7, 8,  //
                                                   1, 2, 3, 4, 0, 0, 0, 0});
  layers::Masking masking;                      // mask_value 0
  const Tensor mask = masking.compute_mask(x);  // [2, 4] bool: true where a step is kept

  // Outside a model, hand the mask on yourself, as a model would.
  layers::SimpleRNN rnn(3);
  const Tensor last = rnn(masking(x), {.mask = mask});  // [2, 3]; row 2: its output at step 2
  fmt::print("mask {}, last output {}\n", fmt::join(mask.to_vector(), " "),
             shape_str(last.shape()));
  return mask.to_vector() == std::vector<double>{1, 1, 1, 1, 1, 1, 0, 0} ? 0 : 1;
}
