// Writes the fuzz targets' seed corpora: small valid files made by rnnkit itself, and broken
// variants of them (truncated, bad magic, bad checksum, wrong version, sizes larger than the
// file, malformed metadata or JSON). A one-off tool: its output is committed under
// tests/fuzz/corpus/<target>/; run it again only when the formats change:
//   fuzz_make_corpus tests/fuzz/corpus
#include <rnnkit/framework/io.h>
#include <rnnkit/framework/losses.h>
#include <rnnkit/framework/random.h>
#include <rnnkit/framework/regularizers.h>
#include <rnnkit/layers/dense.h>
#include <rnnkit/layers/embedding.h>
#include <rnnkit/layers/masking.h>
#include <rnnkit/layers/serialization.h>
#include <rnnkit/layers/simple_rnn.h>
#include <rnnkit/models/sequential.h>
#include <rnnkit/optim/adam.h>
#include <rnnkit/optim/schedules.h>
#include <rnnkit/optim/serialization.h>
#include <rnnkit/optim/sgd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "fuzz_inputs.h"

namespace {

using namespace rnnkit;
using layers::Dense;
using layers::SimpleRNN;
using models::Sequential;
namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// The model of fuzz_load_weights, trained a step so that Adam has slots.
Sequential trained_weights_model() {
  Sequential model = fuzz::weights_model(true);
  model.train_on_batch(Tensor::ones({2, 5, 3}), Tensor::zeros({2, 2}));
  return model;
}

Sequential embedding_model() {
  Sequential model(layers::Embedding(10, 3, {.mask_zero = true}),
                   SimpleRNN(2, {.return_sequences = true, .stateful = true}), Dense(1));
  model.build({4}, 2);
  model.compile({.optimizer = optim::SGD(
                     {.learning_rate = optim::ExponentialDecay(0.1, 10, 0.9), .momentum = 0.5}),
                 .loss = "binary_crossentropy",
                 .metrics = {"accuracy"}});
  return model;
}

/// `bytes` with the archive's u64 metadata length (offset 12) replaced, checksum fixed.
std::string with_metadata_length(std::string bytes, std::uint64_t length) {
  for (int i = 0; i < 8; ++i) bytes[12 + i] = static_cast<char>((length >> (8 * i)) & 0xff);
  return fuzz::with_valid_checksum(std::move(bytes));
}

/// The archive `bytes` with its metadata replaced, re-saved (so with a valid checksum).
std::string with_metadata(std::string_view bytes, std::string metadata, const fs::path& scratch) {
  write(scratch, bytes);
  io::Archive archive = io::load_archive(scratch);
  archive.metadata = std::move(metadata);
  io::save_archive(scratch, archive);
  return read(scratch);
}

void archives(const fs::path& out, const fs::path& scratch) {
  Sequential model = trained_weights_model();
  model.save_weights(scratch);
  const std::string weights = read(scratch);
  model.save_weights(scratch, true);
  const std::string weights_optimizer = read(scratch);
  model.save(scratch, true);
  const std::string saved = read(scratch);
  embedding_model().save(scratch);
  const std::string embedding = read(scratch);

  io::Archive tensors;
  tensors.metadata = R"({"note": "one tensor of each dtype"})";
  tensors.groups.push_back(
      {"a", {{"f32", Tensor::ones({2, 3})}, {"f64", Tensor::zeros({}, DType::f64)}}});
  tensors.groups.push_back({"b",
                            {{"bool", Tensor::ones({3}, DType::boolean)},
                             {"i64", Tensor::ones({1, 2}, DType::i64)},
                             {"empty", Tensor::zeros({0, 4})}}});
  io::save_archive(scratch, tensors);
  const std::string all_dtypes = read(scratch);
  io::save_archive(scratch, io::Archive{});
  const std::string empty = read(scratch);

  const fs::path dir = out / "fuzz_load_archive";
  write(dir / "weights.rnnkit", weights);
  write(dir / "model.rnnkit", saved);
  write(dir / "all_dtypes.rnnkit", all_dtypes);
  write(dir / "empty.rnnkit", empty);
  write(dir / "truncated.rnnkit", std::string_view(weights).substr(0, weights.size() / 2));
  write(dir / "bad_magic.rnnkit", "RNNKITAX" + weights.substr(8));
  std::string bad_checksum = weights;
  bad_checksum.back() ^= 0x5a;
  write(dir / "bad_checksum.rnnkit", bad_checksum);
  std::string version = weights;
  version[8] = 7;
  write(dir / "wrong_version.rnnkit", fuzz::with_valid_checksum(version));
  write(dir / "huge_metadata_length.rnnkit", with_metadata_length(weights, 1ULL << 62));
  std::string bad_bool = all_dtypes;
  bad_bool[bad_bool.find("bool") + 4 + 1 + 4 + 8 + 8] = 2;  // name, dtype, rank, dim, length
  write(dir / "bool_byte_2.rnnkit", fuzz::with_valid_checksum(bad_bool));

  const fs::path load_weights = out / "fuzz_load_weights";
  write(load_weights / "weights.rnnkit", weights);
  write(load_weights / "weights_optimizer.rnnkit", weights_optimizer);
  write(load_weights / "model.rnnkit", saved);
  write(load_weights / "other_model.rnnkit", embedding);
  write(load_weights / "bad_metadata_json.rnnkit", with_metadata(weights, "{", scratch));
  write(load_weights / "not_a_model.rnnkit", all_dtypes);

  const fs::path load_model = out / "fuzz_load_model";
  write(load_model / "model.rnnkit", saved);
  write(load_model / "embedding.rnnkit", embedding);
  write(load_model / "weights_only.rnnkit", weights);
  write(load_model / "not_a_model.rnnkit", all_dtypes);
}

void json(const fs::path& out) {
  const fs::path dir = out / "fuzz_model_from_json";
  const std::string weights = trained_weights_model().to_json();
  write(dir / "simple_rnn.json", weights);
  write(dir / "embedding.json", embedding_model().to_json());
  write(dir / "unbuilt.json", Sequential(layers::Masking({.mask_value = -1}), Dense(3)).to_json());
  write(dir / "keras_first_layer_shape.json",
        R"({"class_name": "Sequential", "config": {"name": "sequential", "layers": [)"
        R"({"class_name": "SimpleRNN", "config": {"units": 3, "batch_input_shape": [null, 4, 2]}},)"
        R"({"class_name": "Dense", "config": {"units": 1, "activation": "sigmoid"}}]}})");
  write(dir / "truncated.json", std::string_view(weights).substr(0, weights.size() / 2));
  write(dir / "wrong_class.json", R"({"class_name": "Functional", "config": {"layers": []}})");

  const fs::path deserialize = out / "fuzz_deserialize";
  const Config rnn =
      layers::serialize(SimpleRNN(3, {.activation = "relu",
                                      .kernel_regularizer = regularizers::L1L2(0.01, 0.02),
                                      .dropout = 0.1}));
  write(deserialize / "simple_rnn.json", rnn.dump());
  write(deserialize / "dense.json", layers::serialize(Dense(2)).dump());
  write(deserialize / "embedding.json", layers::serialize(layers::Embedding(5, 2)).dump());
  for (const char* key : {"kernel_initializer", "recurrent_initializer", "kernel_regularizer"}) {
    write(deserialize / (std::string(key) + ".json"), rnn["config"][key].dump());
  }
  write(deserialize / "adam.json", optim::serialize(optim::Adam({.amsgrad = true})).dump());
  write(deserialize / "schedule.json",
        optim::serialize(optim::PiecewiseConstantDecay({10, 20}, {0.1, 0.01, 0.001})).dump());
  write(deserialize / "loss.json", losses::serialize(losses::AnyLoss("mse")).dump());
  write(deserialize / "name.json", R"("glorot_uniform")");
  write(deserialize / "unknown_key.json",
        R"({"class_name": "Dense", "config": {"units": 2, "colour": "red"}})");
  write(deserialize / "bad.json", R"({"class_name": "Dense", "config": {"units": )");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  set_global_seed(7);
  const fs::path out = argv[1];
  const fs::path scratch = fs::temp_directory_path() / "rnnkit_make_corpus.rnnkit";
  archives(out, scratch);
  json(out);
  fs::remove(scratch);
  return 0;
}
