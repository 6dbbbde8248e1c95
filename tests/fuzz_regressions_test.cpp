#define BOOST_TEST_MODULE fuzz_regressions
#include <rnnkit/framework/io.h>
#include <rnnkit/framework/shape.h>
#include <rnnkit/framework/tensor.h>
#include <rnnkit/models/sequential.h>

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz/fuzz_inputs.h"
#include "test_support.h"

// Every input that ever made a fuzz target (tests/fuzz/) fail, and every seed of the committed
// corpora, replayed through the very function the target calls:
// tests/fuzz/{regressions,corpus}/<target>/<file> is the fuzzer's input. A crash or a sanitizer
// report fails the suite's sanitizer run, an undocumented exception fails here. The library bugs
// behind the crashes are then pinned down one by one.

using namespace rnnkit;
namespace fs = std::filesystem;

namespace {

fs::path fuzz_dir() {
  const char* source = std::getenv("RNNKIT_SOURCE_DIR");
  BOOST_TEST_REQUIRE(source != nullptr, "RNNKIT_SOURCE_DIR is not set (run through ctest)");
  return fs::path(source) / "tests" / "fuzz";
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_saved_input_ends_in_a_result_or_a_documented_exception) {
  const std::map<std::string, std::function<void(std::string_view)>> targets{
      {"fuzz_load_archive", fuzz::load_archive},
      {"fuzz_load_weights", fuzz::load_weights},
      {"fuzz_load_model", fuzz::load_model},
      {"fuzz_model_from_json", fuzz::model_from_json},
      {"fuzz_deserialize", fuzz::deserialize}};
  std::map<std::string, int> replayed;
  for (const char* kind : {"regressions", "corpus"}) {
    if (!fs::exists(fuzz_dir() / kind)) continue;
    for (const fs::directory_entry& dir : fs::directory_iterator(fuzz_dir() / kind)) {
      const auto target = targets.find(dir.path().filename().string());
      BOOST_TEST_REQUIRE((target != targets.end()), "no fuzz target is named " << dir.path());
      for (const fs::directory_entry& input : fs::directory_iterator(dir.path())) {
        BOOST_TEST_CONTEXT(input.path()) {
          BOOST_CHECK_NO_THROW(target->second(read_bytes(input.path())));
          ++replayed[target->first];
        }
      }
    }
  }
  for (const auto& [name, call] : targets) {
    BOOST_TEST(replayed[name] > 0, "no input replayed for " << name);
  }
}

// fuzz_model_from_json: an Embedding of 2^32 x (2^32 + 1) overflowed numel() (undefined
// behaviour) while its initializer sized the weights.
BOOST_AUTO_TEST_CASE(a_layer_whose_weights_overflow_an_int64_is_refused) {
  RNNKIT_CHECK_THROWS(
      models::model_from_json(
          R"({"class_name": "Sequential", "config": {"layers": [)"
          R"({"class_name": "InputLayer", "config": {"batch_input_shape": [null, 2]}},)"
          R"({"class_name": "Embedding", "config": {"input_dim": 4294967296,)"
          R"( "output_dim": 4294967297}}]}})"),
      std::invalid_argument, "[4294967296, 4294967297]", "more elements than a 64-bit integer");
}

BOOST_AUTO_TEST_CASE(numel_refuses_an_element_count_beyond_int64) {
  const std::int64_t big = std::int64_t{1} << 32;
  RNNKIT_CHECK_THROWS(numel({big, big}), std::invalid_argument, "[4294967296, 4294967296]");
  BOOST_TEST(numel({big, big / 2 - 1}) == big * (big / 2 - 1));
  // A zero anywhere makes the shape empty, however large the other dimensions.
  BOOST_TEST(numel({big, big, 0}) == 0);
  BOOST_TEST(numel({0, big, big}) == 0);
}

// A tensor whose element count fits an int64 but whose byte count does not wrapped the size of
// its allocation to almost nothing: [2^61] float64 is 2^64 bytes, allocated as 0.
BOOST_AUTO_TEST_CASE(a_tensor_of_more_bytes_than_an_int64_counts_is_refused) {
  const std::int64_t elements = std::int64_t{1} << 61;
  RNNKIT_CHECK_THROWS(Tensor::zeros({elements}, DType::f64), std::invalid_argument,
                      "Tensor: shape [2305843009213693952] of float64 is too large");
  RNNKIT_CHECK_THROWS(Tensor::empty({elements, 2}, DType::f32), std::invalid_argument, "too large");
  BOOST_TEST(Tensor::zeros({elements, 0}, DType::f64).numel() == 0);
}

// Found by hand while bounding fuzz_model_from_json: nlohmann copies, compares and dumps JSON
// recursively, so a config nested 200000 levels deep overflowed the stack when the model
// copied a layer's entry.
BOOST_AUTO_TEST_CASE(a_model_config_nested_too_deeply_is_refused) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  RNNKIT_CHECK_THROWS(models::model_from_json(
                          R"({"class_name": "Sequential", "config": {"layers": [)" + deep + "]}}"),
                      std::invalid_argument, "model_from_json: not valid JSON",
                      "nested deeper than 128 levels");
  // Nesting within the limit is parsed and refused for what it says, not for its depth.
  const std::string nested = std::string(100, '[') + std::string(100, ']');
  BOOST_CHECK_EXCEPTION(
      models::model_from_json(R"({"class_name": "Sequential", "config": {"layers": [)" + nested +
                              "]}}"),
      std::invalid_argument, [](const std::invalid_argument& error) {
        return std::string(error.what()).find("nested") == std::string::npos;
      });
}

BOOST_AUTO_TEST_CASE(model_file_metadata_nested_too_deeply_is_refused) {
  const fs::path path = fs::temp_directory_path() / "rnnkit_fuzz_regressions_deep.rnnkit";
  io::Archive archive;
  archive.metadata = R"({"format": "rnnkit", "layers": )" + std::string(200000, '[') +
                     std::string(200000, ']') + "}";
  archive.groups.push_back({"weights", {}});
  io::save_archive(path, archive);
  RNNKIT_CHECK_THROWS(models::load_model(path), std::runtime_error, "unreadable metadata",
                      "nested deeper than 128 levels");
  fs::remove(path);
}

// fuzz_model_from_json (regressions/fuzz_model_from_json/number_overflow.json): a number beyond
// a double's range is nlohmann's out_of_range, not a parse_error, and escaped model_from_json and
// the model files' metadata reader as an undocumented exception.
BOOST_AUTO_TEST_CASE(a_number_beyond_a_double_is_refused_as_bad_json) {
  RNNKIT_CHECK_THROWS(models::model_from_json(R"({"class_name": "Sequential", "x": 1e400})"),
                      std::invalid_argument, "model_from_json: not valid JSON", "number overflow");
  const fs::path path = fs::temp_directory_path() / "rnnkit_fuzz_regressions_overflow.rnnkit";
  io::Archive archive;
  archive.metadata = R"({"format": "rnnkit", "layers": [], "x": -1e400})";
  archive.groups.push_back({"weights", {}});
  io::save_archive(path, archive);
  RNNKIT_CHECK_THROWS(models::load_model(path), std::runtime_error, "unreadable metadata",
                      "number overflow");
  fs::remove(path);
}

// fuzz_load_weights (regressions/fuzz_load_weights/format_not_a_string.rnnkit): metadata whose
// "format" is not a string threw nlohmann's type_error out of load_weights and load_model.
BOOST_AUTO_TEST_CASE(model_file_metadata_with_a_format_of_another_type_is_not_a_model_file) {
  const fs::path path = fs::temp_directory_path() / "rnnkit_fuzz_regressions_format.rnnkit";
  io::Archive archive;
  archive.metadata = R"({"format": ["rnnkit"], "layers": []})";
  archive.groups.push_back({"weights", {}});
  io::save_archive(path, archive);
  RNNKIT_CHECK_THROWS(models::load_model(path), std::runtime_error,
                      "is an archive but not an rnnkit model file");
  models::Sequential model = fuzz::weights_model(false);
  RNNKIT_CHECK_THROWS(model.load_weights(path), std::runtime_error,
                      "is an archive but not an rnnkit model file");
  fs::remove(path);
}

// regressions/fuzz_model_from_json/class_name_not_a_string.json, found by reading the code
// behind the previous one: a "class_name" that is not a string threw nlohmann's type_error.
BOOST_AUTO_TEST_CASE(a_model_json_whose_class_name_is_not_a_string_is_refused) {
  RNNKIT_CHECK_THROWS(models::model_from_json(R"({"class_name": 1, "config": {}})"),
                      std::invalid_argument, "expected {\"class_name\": \"Sequential\"",
                      "got a model of class 1");
}
