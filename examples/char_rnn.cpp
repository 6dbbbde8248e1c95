// Character-level language model: an Embedding, a stateful SimpleRNN and a softmax Dense learn to
// predict the next character of a small public-domain text (Alice's Adventures in Wonderland,
// chapters I-III, in examples/data). The text is cut into `batch-size` parallel streams; batch k
// holds window k of every stream, so a stateful SimpleRNN carries its state from one window to
// the next and sees far more context than one window. States are reset at the start of every
// epoch and of every pass over the held-out text. Reports bits per character on the held-out end
// of the text (the loss in nats / ln 2) against two guesses that ignore context, uniform over the
// vocabulary and by character frequency, then samples new text.
//   char_rnn [--epochs N] [--temperature T] [--sample-length N] ...   (--help lists all)
#include <fmt/core.h>
#include <rnnkit/rnnkit.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "example_support.h"

using namespace rnnkit;

namespace {

struct Options {
  examples::CommonOptions common{.epochs = 100, .batch_size = 32};  // batch size: parallel streams
  std::string text = CHAR_RNN_DEFAULT_TEXT;  // set by examples/CMakeLists.txt
  std::int64_t text_chars = 0;               // 0: the whole file
  double held_out = 0.1;                     // fraction of the text, from its end
  std::int64_t sequence_length = 50;         // characters per window (truncated BPTT length)
  std::int64_t embedding_dim = 16;
  std::int64_t units = 128;
  double recurrent_dropout = 0.2;  // the text is small: without it the model learns it by heart
  double learning_rate = 3e-3;
  double temperature = 0.6;
  std::int64_t sample_length = 300;
  std::string prime = "Alice ";
};

// The distinct characters of a text; a character's id is its index here.
class Vocabulary {
 public:
  explicit Vocabulary(const std::string& text) : chars_(text.begin(), text.end()) {
    std::sort(chars_.begin(), chars_.end());
    chars_.erase(std::unique(chars_.begin(), chars_.end()), chars_.end());
  }
  std::int64_t size() const { return static_cast<std::int64_t>(chars_.size()); }
  bool contains(char c) const { return std::binary_search(chars_.begin(), chars_.end(), c); }
  std::int64_t id(char c) const {
    return std::lower_bound(chars_.begin(), chars_.end(), c) - chars_.begin();
  }
  char character(std::int64_t id) const { return chars_[static_cast<std::size_t>(id)]; }

 private:
  std::vector<char> chars_;
};

// Inputs and next-character targets, laid out for a stateful RNN: the text is cut into `streams`
// equal parts, and sample k * streams + b is window k of part b, so row b of batch k + 1
// continues row b of batch k.
struct Windows {
  Tensor x;  // [windows * streams, length] int64 character ids
  Tensor y;  // [windows * streams, length] int64 id of the character after each one
};

Windows make_windows(const std::string& text, const Vocabulary& vocabulary, std::int64_t streams,
                     std::int64_t length) {
  const std::int64_t per_stream = (static_cast<std::int64_t>(text.size()) - 1) / streams;
  const std::int64_t windows = per_stream / length;
  Windows data{.x = Tensor::empty({windows * streams, length}, DType::i64),
               .y = Tensor::empty({windows * streams, length}, DType::i64)};
  std::int64_t* x = data.x.mutable_data<std::int64_t>();
  std::int64_t* y = data.y.mutable_data<std::int64_t>();
  for (std::int64_t k = 0; k < windows; ++k) {
    for (std::int64_t b = 0; b < streams; ++b) {
      const std::int64_t row = k * streams + b;
      const std::int64_t start = b * per_stream + k * length;
      for (std::int64_t t = 0; t < length; ++t) {
        x[row * length + t] = vocabulary.id(text[static_cast<std::size_t>(start + t)]);
        y[row * length + t] = vocabulary.id(text[static_cast<std::size_t>(start + t + 1)]);
      }
    }
  }
  return data;
}

// The entropy of the text's character frequencies in bits: the loss of the best model that
// ignores context and always predicts how common each character is.
double frequency_entropy_bits(const std::string& text) {
  std::map<char, double> counts;
  for (char c : text) counts[c] += 1.0;
  double bits = 0.0;
  for (const auto& [c, count] : counts) {
    const double p = count / static_cast<double>(text.size());
    bits -= p * std::log2(p);
  }
  return bits;
}

// A stateful model needs its batch size when it is built: training uses one row per stream,
// sampling a single row.
models::Sequential make_model(std::int64_t vocabulary, std::int64_t batch, const Options& options) {
  models::Sequential model(
      layers::Embedding(vocabulary, options.embedding_dim),
      layers::SimpleRNN(options.units, {.recurrent_dropout = options.recurrent_dropout,
                                        .return_sequences = true,
                                        .stateful = true}),
      layers::Dense(vocabulary, {.activation = "softmax"}));
  model.build({options.sequence_length}, batch);
  return model;
}

// Starts every epoch, and every pass over the held-out text, from a zero state: the streams
// begin again at their first window.
class ResetStatesEachPass : public callbacks::Callback {
 public:
  void on_epoch_begin(int /*epoch*/, const models::Logs& /*logs*/) override {
    model().reset_states();
  }
  void on_test_begin(const models::Logs& /*logs*/) override { model().reset_states(); }
};

// Prints the held-out bits per character of about ten of the epochs.
void print_bits_by_epoch(const std::vector<double>& held_out_loss) {
  const std::size_t every = std::max<std::size_t>(1, held_out_loss.size() / 10);
  fmt::print("held-out bits/char by epoch:");
  for (std::size_t epoch = 0; epoch < held_out_loss.size(); ++epoch) {
    if ((epoch + 1) % every == 0 || epoch == 0) {
      fmt::print(" {}: {:.2f}", epoch + 1, held_out_loss[epoch] / std::numbers::ln2);
    }
  }
  fmt::print("\n");
}

// Index drawn from `probabilities` sharpened (temperature < 1) or flattened (> 1):
// p_i^(1/temperature), renormalised.
std::int64_t sample(const std::vector<double>& probabilities, double temperature,
                    Generator& generator) {
  std::vector<double> weights(probabilities.size());
  double total = 0.0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    weights[i] = std::pow(probabilities[i], 1.0 / temperature);
    total += weights[i];
  }
  double draw = generator.uniform(0.0, total);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    draw -= weights[i];
    if (draw < 0.0) return static_cast<std::int64_t>(i);
  }
  return static_cast<std::int64_t>(weights.size()) - 1;
}

// Feeds `prime` to a one-row copy of the trained model, then draws `length` characters, each fed
// back as the next input; the stateful SimpleRNN carries the context between calls.
std::string generate(const models::Sequential& trained, const Vocabulary& vocabulary,
                     const Options& options, Generator& generator) {
  models::Sequential sampler = make_model(vocabulary.size(), 1, options);
  sampler.set_weights(trained.get_weights());
  std::vector<double> ids;
  for (char c : options.prime) ids.push_back(static_cast<double>(vocabulary.id(c)));
  Tensor input = Tensor::from_values({1, static_cast<std::int64_t>(ids.size())}, ids, DType::i64);
  std::string text = options.prime;
  for (std::int64_t i = 0; i < options.sample_length; ++i) {
    const Tensor probabilities = sampler.predict_on_batch(input);  // [1, steps, vocabulary]
    const Tensor last = select(select(probabilities, 0, 0), 0, probabilities.size(1) - 1);
    const std::int64_t next = sample(last.to_vector(), options.temperature, generator);
    text += vocabulary.character(next);
    input = Tensor::from_values({1, 1}, {static_cast<double>(next)}, DType::i64);
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("A stateful SimpleRNN learns a text character by character, then writes some");
  examples::add_common_flags(app, options.common);
  app.add_option("--text", options.text, "Plain-text file to learn")
      ->capture_default_str()
      ->check(CLI::ExistingFile);
  app.add_option("--text-chars", options.text_chars, "Use only the first N characters (0: all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--held-out", options.held_out, "Fraction of the text, from its end, held out")
      ->capture_default_str()
      ->check(CLI::Range(0.01, 0.5));
  app.add_option("--sequence-length", options.sequence_length, "Characters per training window")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--embedding-dim", options.embedding_dim, "Length of each character's vector")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--units", options.units, "SimpleRNN units")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--recurrent-dropout", options.recurrent_dropout,
                 "Fraction of the state dropped at each training step")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  app.add_option("--learning-rate", options.learning_rate, "Adam's learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--temperature", options.temperature,
                 "Sampling temperature: < 1 plays safe, > 1 takes risks")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--sample-length", options.sample_length, "Characters to generate")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--prime", options.prime, "Text the sample starts from")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  examples::apply(options.common);

  std::ifstream file(options.text, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  if (options.text_chars > 0 && options.text_chars < static_cast<std::int64_t>(text.size())) {
    text.resize(static_cast<std::size_t>(options.text_chars));
  }
  const Vocabulary vocabulary(text);
  if (options.prime.empty() || !std::all_of(options.prime.begin(), options.prime.end(),
                                            [&](char c) { return vocabulary.contains(c); })) {
    fmt::print(stderr, "--prime must be non-empty and use only characters of the text\n");
    return 2;
  }
  const auto split =
      static_cast<std::size_t>(static_cast<double>(text.size()) * (1.0 - options.held_out));
  const std::int64_t streams = options.common.batch_size;
  const Windows train =
      make_windows(text.substr(0, split), vocabulary, streams, options.sequence_length);
  const Windows held_out =
      make_windows(text.substr(split), vocabulary, streams, options.sequence_length);
  if (train.x.size(0) == 0 || held_out.x.size(0) == 0) {
    fmt::print(stderr,
               "the text ({} characters) is too short for {} streams of {}-character windows\n",
               text.size(), streams, options.sequence_length);
    return 2;
  }
  fmt::print("{} characters, vocabulary of {}: {} training windows, {} held-out windows\n",
             text.size(), vocabulary.size(), train.x.size(0), held_out.x.size(0));

  models::Sequential model = make_model(vocabulary.size(), streams, options);
  model.summary();
  model.compile({.optimizer = optim::Adam({.learning_rate = options.learning_rate}),
                 .loss = "sparse_categorical_crossentropy",
                 .metrics = {"accuracy"}});
  // shuffle = false keeps the windows in stream order, which the carried state relies on.
  const models::History history = model.fit(
      train.x, train.y,
      {.batch_size = streams,
       .epochs = options.common.epochs,
       .verbose = options.common.verbose,
       .callbacks = {ResetStatesEachPass(), examples::history_csv(options.common, "char_rnn")},
       .validation_data = models::ValidationData{held_out.x, held_out.y},
       .shuffle = false});
  // Bits per character: the crossentropy in nats divided by ln 2.
  examples::plot_history(options.common, "char_rnn",
                         {.title = "char_rnn",
                          .loss_scale = 1.0 / std::numbers::ln2,
                          .loss_label = "bits per character"});
  if (history.contains("val_loss")) print_bits_by_epoch(history["val_loss"]);

  Generator generator(options.common.seed);
  fmt::print("sample (temperature {}):\n{}\n\n", options.temperature,
             generate(model, vocabulary, options, generator));

  const double loss =
      model
          .evaluate(held_out.x, held_out.y,
                    {.batch_size = streams, .verbose = 0, .callbacks = {ResetStatesEachPass()}})
          .at("loss");
  const double bits = loss / std::numbers::ln2;
  const double uniform_bits = std::log2(static_cast<double>(vocabulary.size()));
  const double frequency_bits = frequency_entropy_bits(text);
  fmt::print("char_rnn: {:.2f} held-out bits/char (uniform {:.2f}, character frequencies {:.2f})\n",
             bits, uniform_bits, frequency_bits);
  // The model must beat the best guess that ignores context (each character's frequency) by a
  // full bit per character; that is also more than 2.5 bits below the uniform guess here.
  return bits <= frequency_bits - 1.0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
