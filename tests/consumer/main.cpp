// Built against an installed rnnkit: one gradient through the public umbrella header.
#include <rnnkit/rnnkit.h>

#include <cstdio>

int main() {
  using namespace rnnkit;
  Tensor x = Tensor::from_values({2}, {1.0, -2.0}).set_requires_grad();
  Tensor loss = sum(square(x));
  loss.backward();
  const bool ok = x.grad().at({0}) == 2.0f && x.grad().at({1}) == -4.0f;
  std::printf("consumer: d/dx sum(x^2) at (1, -2) = (%g, %g): %s\n", x.grad().at({0}),
              x.grad().at({1}), ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
