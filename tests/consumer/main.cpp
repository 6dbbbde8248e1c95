// Built against an installed rnnkit: one gradient through the public umbrella header, one
// SimpleRNN call (every library of rnnkit::rnnkit), and the version header.
#include <rnnkit/rnnkit.h>
#include <rnnkit/version.h>

#include <cstdio>
#include <cstring>

#define CONSUMER_STRINGIFY(x) #x
#define CONSUMER_VERSION_FROM_PARTS(major, minor, patch) \
  CONSUMER_STRINGIFY(major) "." CONSUMER_STRINGIFY(minor) "." CONSUMER_STRINGIFY(patch)

int main() {
  using namespace rnnkit;
  // The consumer's build passes the version it expects: find_package's, or pkg-config's.
  const bool version_ok =
      std::strcmp(RNNKIT_VERSION_STRING, RNNKIT_EXPECTED_VERSION) == 0 &&
      std::strcmp(CONSUMER_VERSION_FROM_PARTS(RNNKIT_VERSION_MAJOR, RNNKIT_VERSION_MINOR,
                                              RNNKIT_VERSION_PATCH),
                  RNNKIT_EXPECTED_VERSION) == 0;
  std::printf("consumer: <rnnkit/version.h> says %s, expected %s: %s\n", RNNKIT_VERSION_STRING,
              RNNKIT_EXPECTED_VERSION, version_ok ? "ok" : "WRONG");

  Tensor x = Tensor::from_values({2}, {1.0, -2.0}).set_requires_grad();
  Tensor loss = sum(square(x));
  loss.backward();
  const bool grad_ok = x.grad().at({0}) == 2.0f && x.grad().at({1}) == -4.0f;
  std::printf("consumer: d/dx sum(x^2) at (1, -2) = (%g, %g): %s\n", x.grad().at({0}),
              x.grad().at({1}), grad_ok ? "ok" : "WRONG");

  const Tensor h = layers::SimpleRNN(3)(Tensor::ones({2, 4, 5}));
  const bool rnn_ok = h.shape() == Shape{2, 3};
  std::printf("consumer: SimpleRNN(3) of [2, 4, 5] gives %s: %s\n", shape_str(h.shape()).c_str(),
              rnn_ok ? "ok" : "WRONG");
  return version_ok && grad_ok && rnn_ok ? 0 : 1;
}
