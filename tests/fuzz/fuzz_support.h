#pragma once

// What the libFuzzer targets share: the input as a file for the APIs that take a path, a valid
// checksum so that mutations reach past the archive's CRC-32 check, and the bound on the sizes
// that the targets building models let a config declare.

#include <rnnkit/framework/config.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

/// `bytes` with its last 4 bytes replaced by the little-endian CRC-32 of the bytes before them,
/// as an archive stores it (framework/io.h); shorter inputs are returned unchanged.
inline std::string with_valid_checksum(std::string bytes) {
  if (bytes.size() < 4) return bytes;
  const std::size_t body = bytes.size() - 4;
  const auto crc =
      static_cast<std::uint32_t>(::crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), body));
  for (std::size_t i = 0; i < 4; ++i) bytes[body + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return bytes;
}

/// The largest number a config may hold in the targets that build the model it describes. A
/// model config is a program: building it allocates and initialises every weight it declares,
/// as in Keras, so that a config of 10^5 units is answered by running out of memory or time,
/// not by an error. model_from_json's target skips configs with larger numbers, load_model's
/// those whose input shape has one; fuzz_deserialize, which builds nothing, sees every size.
inline constexpr double largest_declared_size = 512;

/// Whether `config` holds a number beyond ±largest_declared_size anywhere (walked without
/// recursion: the fuzzer nests deeply).
inline bool declares_large_size(const rnnkit::Config& config) {
  std::vector<const rnnkit::Config*> pending{&config};
  while (!pending.empty()) {
    const rnnkit::Config& value = *pending.back();
    pending.pop_back();
    if (value.is_number() && std::abs(value.get<double>()) > largest_declared_size) return true;
    if (value.is_structured()) {
      for (const rnnkit::Config& child : value) pending.push_back(&child);
    }
  }
  return false;
}

/// Whether `config` holds, anywhere, a "batch_input_shape" with a number beyond
/// ±largest_declared_size (walked without recursion).
inline bool declares_large_input_shape(const rnnkit::Config& config) {
  std::vector<const rnnkit::Config*> pending{&config};
  while (!pending.empty()) {
    const rnnkit::Config& value = *pending.back();
    pending.pop_back();
    if (value.is_object() && value.contains("batch_input_shape") &&
        declares_large_size(value["batch_input_shape"])) {
      return true;
    }
    if (value.is_structured()) {
      for (const rnnkit::Config& child : value) pending.push_back(&child);
    }
  }
  return false;
}

/// Whether the metadata of the archive `bytes` (format of rnnkit/framework/io.h) is JSON that
/// declares_large_input_shape(); false when there is no such metadata to read. load_model takes
/// every weight from the file, so a declared weight size is bounded by the file, but the pass
/// that builds the model runs on zeros of the declared input shape, which the file does not hold.
inline bool archive_declares_large_input_shape(std::string_view bytes) {
  constexpr std::size_t length_offset = 12;
  constexpr std::size_t metadata_offset = 20;
  if (bytes.size() < metadata_offset) return false;
  std::uint64_t length = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    length |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[length_offset + i]))
              << (8 * i);
  }
  if (length > bytes.size() - metadata_offset) return false;
  const rnnkit::Config metadata =
      rnnkit::Config::parse(bytes.substr(metadata_offset, length), nullptr, false);
  return !metadata.is_discarded() && declares_large_input_shape(metadata);
}

/// A file of this process, rewritten for every input: the loaders read paths only.
class InputFile {
 public:
  InputFile()
      : path_(std::filesystem::temp_directory_path() /
              ("rnnkit_fuzz_" + std::to_string(::getpid()) + ".rnnkit")) {}
  ~InputFile() { std::filesystem::remove(path_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  /// Replaces the file's contents with `bytes` and returns its path.
  const std::filesystem::path& write(std::string_view bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path_;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace fuzz
