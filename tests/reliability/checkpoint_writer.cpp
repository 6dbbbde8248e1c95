// The child process of the crash test: resumes from the checkpoint at argv[1] when there is one
// (a fresh model otherwise), then forever trains one step and saves. On stdout it announces
// "writing <state>" before each save and "saved" after it; a line the kill cuts short is no
// announcement (the parent reads whole lines), and the save it was to announce had not begun. It
// exits 1 on any error and dies of SIGPIPE when the parent stops reading.
#include <fmt/format.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "reliability/checkpoint_state.h"

using namespace rnnkit;

namespace {

void announce(std::string_view line) {
  while (!line.empty()) {
    const ssize_t written = ::write(STDOUT_FILENO, line.data(), line.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) throw std::runtime_error("checkpoint_writer: stdout is closed");
    line.remove_prefix(static_cast<std::size_t>(written));
  }
}

models::Sequential resume_or_start(const std::filesystem::path& checkpoint) {
  if (std::filesystem::exists(checkpoint)) return models::load_model(checkpoint);
  models::Sequential model(layers::SimpleRNN(16), layers::Dense(1));
  model.build({6, 3});
  model.compile({.optimizer = optim::Adam({.learning_rate = 0.01}), .loss = "mse"});
  return model;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: checkpoint_writer <checkpoint path>\n");
    return 2;
  }
  try {
    const std::filesystem::path checkpoint = argv[1];
    models::Sequential model = resume_or_start(checkpoint);
    set_global_seed(7);
    Generator generator(11);
    const Tensor x = Tensor::uniform({8, 6, 3}, -1.0, 1.0, generator);
    const Tensor y = Tensor::uniform({8, 1}, -1.0, 1.0, generator);
    for (;;) {
      model.train_on_batch(x, y);
      announce(fmt::format("writing {}\n", testing::to_text(testing::checkpoint_state(model))));
      model.save(checkpoint);
      announce("saved\n");
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "checkpoint_writer: %s\n", error.what());
    return 1;
  }
}
