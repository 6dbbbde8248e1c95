#define BOOST_TEST_MODULE io
#include <fmt/format.h>
#include <rnnkit/framework/io.h>
#include <sys/resource.h>
#include <unistd.h>

#include <bit>
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "file_size_limit.h"
#include "test_support.h"

// rnnkit's archive files: the bytes of a file built by hand from io.h's layout, round trips, and
// every way a damaged or foreign file, or a failing disk, must be met.

using namespace rnnkit;
using namespace std::string_literals;
using rnnkit::io::Archive;
using rnnkit::testing::FileSizeLimit;
using rnnkit::testing::random_tensor;
namespace fs = std::filesystem;
namespace data = boost::unit_test::data;

namespace {

/// CRC-32 (IEEE, reflected polynomial 0xEDB88320) bit by bit, independent of zlib.
std::uint32_t crc32_ieee(std::string_view bytes) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : bytes) {
    crc ^= static_cast<unsigned char>(c);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

/// A file built field by field as io.h documents the format.
struct FileBytes {
  std::string bytes;

  FileBytes& u8(std::uint8_t value) {
    bytes.push_back(static_cast<char>(value));
    return *this;
  }
  FileBytes& u32(std::uint32_t value) { return little_endian(value, 4); }
  FileBytes& u64(std::uint64_t value) { return little_endian(value, 8); }
  FileBytes& i64(std::int64_t value) { return little_endian(static_cast<std::uint64_t>(value), 8); }
  FileBytes& f32(float value) { return u32(std::bit_cast<std::uint32_t>(value)); }
  FileBytes& f64(double value) { return u64(std::bit_cast<std::uint64_t>(value)); }
  FileBytes& raw(std::string_view value) {
    bytes += value;
    return *this;
  }
  /// A u32 length, then the bytes.
  FileBytes& name(std::string_view value) {
    return u32(static_cast<std::uint32_t>(value.size())).raw(value);
  }
  /// Magic, version 1 and the metadata.
  FileBytes& header(std::string_view metadata = "{}") {
    return raw("RNNKITAR").u32(1).u64(metadata.size()).raw(metadata);
  }
  /// The bytes followed by their CRC-32: a complete file.
  std::string with_checksum() const { return FileBytes(*this).u32(crc32_ieee(bytes)).bytes; }

 private:
  FileBytes& little_endian(std::uint64_t value, int count) {
    for (int i = 0; i < count; ++i) bytes.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
    return *this;
  }
};

/// One tensor of every dtype and rank 0, 1 and 2, and a group without tensors.
Archive small_archive() {
  Archive archive;
  archive.metadata = "{}";
  archive.groups.push_back({"w",
                            {{"a", Tensor::from_values({2}, {1.0, -2.0})},
                             {"b", Tensor::scalar(0.5, DType::f64)},
                             {"m", Tensor::from_values({3}, {1, 0, 1}, DType::boolean)},
                             {"i", Tensor::from_values({1, 1}, {-3}, DType::i64)}}});
  archive.groups.push_back({"e", {}});
  return archive;
}

/// small_archive()'s file without its checksum, written out from io.h's layout.
FileBytes small_archive_body() {
  FileBytes file;
  file.header("{}").u32(2);
  file.name("w").u32(4);
  file.name("a").u8(0).u32(1).i64(2).u64(8).f32(1.0f).f32(-2.0f);
  file.name("b").u8(1).u32(0).u64(8).f64(0.5);
  file.name("m").u8(2).u32(1).i64(3).u64(3).u8(1).u8(0).u8(1);
  file.name("i").u8(3).u32(2).i64(1).i64(1).u64(8).i64(-3);
  file.name("e").u32(0);
  return file;
}

/// Python's zlib.crc32 of small_archive_body().
constexpr std::uint32_t small_archive_crc = 0x0b057dc0;

/// Every dtype at rank 0, with zero elements, and at higher rank; special float bit patterns;
/// int64 extremes; a reshaped view; a group without tensors and an empty tensor name.
Archive varied_archive() {
  Tensor kernel = random_tensor({3, 4}, DType::f32, 1);
  float* k = kernel.mutable_data<float>();
  k[0] = -0.0f;
  k[1] = std::numeric_limits<float>::infinity();
  k[2] = std::bit_cast<float>(0x7fc00123u);  // a NaN with a payload
  k[3] = std::numeric_limits<float>::denorm_min();
  Tensor recurrent = random_tensor({2, 3, 2}, DType::f64, 2);
  double* r = recurrent.mutable_data<double>();
  r[0] = std::bit_cast<double>(0xfff8000000000abcull);
  r[1] = -std::numeric_limits<double>::infinity();
  r[2] = std::numeric_limits<double>::lowest();
  Tensor labels = Tensor::zeros({4}, DType::i64);
  std::int64_t* l = labels.mutable_data<std::int64_t>();
  l[0] = std::numeric_limits<std::int64_t>::min();
  l[1] = std::numeric_limits<std::int64_t>::max();
  l[2] = -1;
  l[3] = 42;

  Archive archive;
  archive.metadata = R"({"class_name": "Sequential"})";
  archive.groups = {
      {"weights",
       {{"kernel", kernel},
        {"recurrent_kernel", recurrent},
        {"recurrent_kernel_view", recurrent.reshape({3, 4})},
        {"bias", Tensor::zeros({0})}}},
      {"optimizer",
       {{"iterations", Tensor::scalar(7, DType::i64)},
        {"labels", labels},
        {"mask", Tensor::from_values({2, 3}, {1, 0, 0, 1, 1, 0}, DType::boolean)},
        {"learning_rate", Tensor::scalar(1e-3, DType::f64)},
        {"scale", Tensor::scalar(0.25)}}},
      {"empty", {}},
      {"zero_sized",
       {{"f64", Tensor::empty({2, 0, 3}, DType::f64)},
        {"bool", Tensor::empty({0}, DType::boolean)},
        {"i64", Tensor::empty({0, 5}, DType::i64)},
        {"", Tensor::scalar(1, DType::boolean)}}},
  };
  return archive;
}

/// The tensor's elements as raw bytes.
std::string raw_bytes(const Tensor& tensor) {
  const void* data = nullptr;
  switch (tensor.dtype()) {
    case DType::f32:
      data = tensor.data<float>();
      break;
    case DType::f64:
      data = tensor.data<double>();
      break;
    case DType::boolean:
      data = tensor.data<std::uint8_t>();
      break;
    case DType::i64:
      data = tensor.data<std::int64_t>();
      break;
  }
  return {static_cast<const char*>(data),
          static_cast<std::size_t>(tensor.numel()) * dtype_size(tensor.dtype())};
}

/// Same metadata, group and tensor names in the same order, dtypes, shapes and bits.
void check_identical(const Archive& actual, const Archive& expected) {
  BOOST_TEST(actual.metadata == expected.metadata);
  BOOST_TEST_REQUIRE(actual.groups.size() == expected.groups.size());
  for (std::size_t g = 0; g < expected.groups.size(); ++g) {
    const auto& [name, tensors] = expected.groups[g];
    BOOST_TEST_CONTEXT("group " << g << " \"" << name << "\"") {
      BOOST_TEST(actual.groups[g].first == name);
      const auto& loaded = actual.groups[g].second;
      BOOST_TEST_REQUIRE(loaded.size() == tensors.size());
      for (std::size_t t = 0; t < tensors.size(); ++t) {
        BOOST_TEST_CONTEXT("tensor \"" << tensors[t].name << "\"") {
          BOOST_TEST(loaded[t].name == tensors[t].name);
          BOOST_TEST(loaded[t].value.dtype() == tensors[t].value.dtype());
          BOOST_TEST((loaded[t].value.shape() == tensors[t].value.shape()));
          BOOST_TEST((raw_bytes(loaded[t].value) == raw_bytes(tensors[t].value)));
          BOOST_TEST(!loaded[t].value.shares_storage_with(tensors[t].value));
        }
      }
    }
  }
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, std::string_view bytes) {
  // A new file rather than a truncated one: ext4 flushes a file rewritten after truncation to
  // disk on close, which would make the thousands of writes below slow.
  fs::remove(path);
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  BOOST_TEST_REQUIRE(out.good(), "cannot write " << path);
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (const char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

/// A fresh, empty directory per test, removed afterwards.
struct ScratchDir {
  ScratchDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() / fmt::format("rnnkit_io_test_{}_{}", ::getpid(), counter++);
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  /// The names in dir: shows any temporary file left behind.
  std::set<std::string> entries() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
    return names;
  }

  fs::path dir;
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_test_crc_is_crc32_ieee) {
  BOOST_TEST(crc32_ieee("123456789") == 0xCBF43926u);  // the standard check value
  BOOST_TEST(crc32_ieee(small_archive_body().bytes) == small_archive_crc);
}

BOOST_FIXTURE_TEST_CASE(save_writes_the_documented_bytes, ScratchDir) {
  const fs::path path = dir / "small.rnnkit";
  io::save_archive(path, small_archive());
  BOOST_TEST(hex(read_bytes(path)) == hex(small_archive_body().u32(small_archive_crc).bytes));
}

BOOST_FIXTURE_TEST_CASE(load_reads_a_file_built_by_hand, ScratchDir) {
  const fs::path path = dir / "small.rnnkit";
  write_bytes(path, small_archive_body().u32(small_archive_crc).bytes);
  const Archive archive = io::load_archive(path);
  BOOST_TEST(archive.metadata == "{}");
  BOOST_TEST_REQUIRE(archive.groups.size() == 2u);
  BOOST_TEST(archive.groups[0].first == "w");
  BOOST_TEST(archive.groups[1].first == "e");
  BOOST_TEST(archive.groups[1].second.empty());
  const auto& w = archive.groups[0].second;
  BOOST_TEST_REQUIRE(w.size() == 4u);
  const std::vector<std::string> names{"a", "b", "m", "i"};
  const std::vector<DType> dtypes{DType::f32, DType::f64, DType::boolean, DType::i64};
  const std::vector<Shape> shapes{{2}, {}, {3}, {1, 1}};
  const std::vector<std::vector<double>> values{{1.0, -2.0}, {0.5}, {1, 0, 1}, {-3}};
  for (std::size_t t = 0; t < w.size(); ++t) {
    BOOST_TEST_CONTEXT("tensor " << names[t]) {
      BOOST_TEST(w[t].name == names[t]);
      BOOST_TEST(w[t].value.dtype() == dtypes[t]);
      BOOST_TEST((w[t].value.shape() == shapes[t]));
      BOOST_TEST(w[t].value.to_vector() == values[t], boost::test_tools::per_element());
    }
  }
}

BOOST_FIXTURE_TEST_CASE(round_trip_keeps_every_dtype_shape_name_and_bit, ScratchDir) {
  const Archive archive = varied_archive();
  const fs::path path = dir / "model.rnnkit";
  io::save_archive(path, archive);
  check_identical(io::load_archive(path), archive);
  BOOST_TEST((entries() == std::set<std::string>{"model.rnnkit"}));
}

BOOST_FIXTURE_TEST_CASE(metadata_round_trips_as_bytes, ScratchDir) {
  const fs::path path = dir / "meta.rnnkit";
  for (const std::string& metadata :
       {R"({"name": "Modèle ñ 日本語 🙂", "keras_version": "2.12.0"})"s, "a\0b\n"s, ""s}) {
    Archive archive;
    archive.metadata = metadata;
    io::save_archive(path, archive);
    const Archive loaded = io::load_archive(path);
    BOOST_TEST(loaded.metadata == metadata);
    BOOST_TEST(loaded.groups.empty());
  }
  // magic 8 + version 4 + metadata length 8 + group count 4 + checksum 4
  BOOST_TEST(fs::file_size(path) == 28u);
}

BOOST_FIXTURE_TEST_CASE(bool_storage_bytes_are_saved_as_zero_or_one, ScratchDir) {
  Tensor mask = Tensor::zeros({3}, DType::boolean);
  mask.mutable_data<std::uint8_t>()[1] = 7;
  Archive archive;
  archive.groups.push_back({"masks", {{"mask", mask}}});
  const fs::path path = dir / "mask.rnnkit";
  io::save_archive(path, archive);
  const Tensor loaded = io::load_archive(path).groups.at(0).second.at(0).value;
  BOOST_TEST(hex(raw_bytes(loaded)) == "000100");
}

BOOST_AUTO_TEST_CASE(group_finds_a_group_by_name) {
  const Archive archive = small_archive();
  BOOST_TEST(archive.group("w") == &archive.groups[0].second);
  BOOST_TEST(archive.group("e") == &archive.groups[1].second);
  BOOST_TEST(archive.group("x") == nullptr);
  BOOST_TEST(archive.group("") == nullptr);
}

BOOST_FIXTURE_TEST_CASE(every_truncation_is_refused, ScratchDir) {
  const fs::path good = dir / "good.rnnkit";
  io::save_archive(good, varied_archive());
  const std::string bytes = read_bytes(good);
  const fs::path cut_path = dir / "cut.rnnkit";
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    BOOST_TEST_CONTEXT("cut at " << cut << " of " << bytes.size()) {
      write_bytes(cut_path, std::string_view(bytes).substr(0, cut));
      RNNKIT_CHECK_THROWS(io::load_archive(cut_path), std::runtime_error, cut_path.string(),
                          "truncated: expected");
    }
  }
}

BOOST_FIXTURE_TEST_CASE(every_changed_byte_is_refused, ScratchDir) {
  const fs::path good = dir / "good.rnnkit";
  io::save_archive(good, varied_archive());
  const std::string bytes = read_bytes(good);
  const fs::path bad_path = dir / "bad.rnnkit";
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    for (const unsigned char flip : {0x01, 0x80, 0xff}) {
      BOOST_TEST_CONTEXT("byte " << at << " xor " << int{flip}) {
        std::string bad = bytes;
        bad[at] = static_cast<char>(static_cast<unsigned char>(bad[at]) ^ flip);
        write_bytes(bad_path, bad);
        RNNKIT_CHECK_THROWS(io::load_archive(bad_path), std::runtime_error, bad_path.string());
      }
    }
  }
}

BOOST_FIXTURE_TEST_CASE(trailing_bytes_are_refused, ScratchDir) {
  const fs::path good = dir / "good.rnnkit";
  io::save_archive(good, small_archive());
  const std::string bytes = read_bytes(good);
  const fs::path bad_path = dir / "bad.rnnkit";
  for (const std::string& tail : {"\0"s, "abcd"s, bytes}) {
    BOOST_TEST_CONTEXT(tail.size() << " bytes appended") {
      write_bytes(bad_path, bytes + tail);
      RNNKIT_CHECK_THROWS(io::load_archive(bad_path), std::runtime_error, bad_path.string(),
                          fmt::format("{} trailing bytes", tail.size()));
    }
  }
}

namespace {

/// A file that load_archive must refuse, and what its message must say.
struct BadFile {
  std::string what;
  std::function<std::string()> bytes;
  std::string message;
};

std::ostream& operator<<(std::ostream& out, const BadFile& file) { return out << file.what; }

/// Magic, version, metadata "{}" and one group "w" holding one tensor "t" whose fields after its
/// name are given; with a correct checksum unless the case is about the checksum.
FileBytes one_tensor_file() {
  return std::move(FileBytes().header().u32(1).name("w").u32(1).name("t"));
}

const std::vector<BadFile> bad_files{
    {"empty file", [] { return ""s; }, "truncated: expected 8 more bytes at offset 0, 0 remain"},
    {"prefix of the magic", [] { return "RNN"s; }, "truncated: expected 8 more bytes at offset 0"},
    {"text file", [] { return "hello, world\n"s; }, "not an rnnkit archive (bad magic)"},
    {"other magic", [] { return FileBytes().raw("RNNKITAX").u32(1).u64(0).u32(0).with_checksum(); },
     "not an rnnkit archive (bad magic)"},
    {"version 7", [] { return FileBytes().raw("RNNKITAR").u32(7).u64(0).u32(0).with_checksum(); },
     "unsupported format version 7 (this build reads 1)"},
    {"version 0", [] { return FileBytes().raw("RNNKITAR").u32(0).u64(0).u32(0).with_checksum(); },
     "unsupported format version 0 (this build reads 1)"},
    {"no room for the checksum", [] { return FileBytes().raw("RNNKITAR").u32(1).u8(0).bytes; },
     "truncated: expected 4 more bytes at offset 12, 1 remain"},
    {"metadata length beyond the file",
     [] {
       return FileBytes().raw("RNNKITAR").u32(1).u64(1ull << 63).raw("{}").u32(0).with_checksum();
     },
     "truncated: expected 9223372036854775808 more bytes at offset 20, 6 remain"},
    {"group count beyond the file",
     [] { return FileBytes().header().u32(0xffffffffu).with_checksum(); },
     "truncated: expected 4 more bytes at offset 26, 0 remain"},
    {"group name length beyond the file",
     [] { return FileBytes().header().u32(1).u32(0xffffffffu).raw("w").u32(0).with_checksum(); },
     "truncated: expected 4294967295 more bytes at offset 30"},
    {"tensor count beyond the file",
     [] { return FileBytes().header().u32(1).name("w").u32(0xffffffffu).with_checksum(); },
     "truncated: expected 4 more bytes at offset 35, 0 remain"},
    {"rank beyond the file",
     [] { return one_tensor_file().u8(0).u32(0xffffffffu).i64(1).u64(4).f32(1).with_checksum(); },
     "truncated: expected 8 more bytes"},
    {"data length beyond the file",
     [] {
       return one_tensor_file().u8(1).u32(1).i64(1ll << 40).u64(8ull << 40).f64(1).with_checksum();
     },
     "truncated: expected 8796093022208 more bytes"},
    {"unknown dtype code",
     [] { return one_tensor_file().u8(4).u32(0).u64(4).f32(1).with_checksum(); },
     "tensor \"t\" of group \"w\" has unknown dtype code 4 at offset 40"},
    {"negative dimension",
     [] { return one_tensor_file().u8(0).u32(2).i64(2).i64(-3).u64(0).with_checksum(); },
     "tensor \"t\" of group \"w\" has negative dimension -3"},
    {"element count overflowing before a zero dimension",
     [] {
       return one_tensor_file()
           .u8(0)
           .u32(3)
           .i64(1ll << 62)
           .i64(1ll << 62)
           .i64(0)
           .u64(0)
           .with_checksum();
     },
     "too many elements"},
    {"byte count overflowing",
     [] { return one_tensor_file().u8(1).u32(1).i64(1ll << 62).u64(0).with_checksum(); },
     "too many elements"},
    {"data length not matching the shape",
     [] {
       return one_tensor_file()
           .u8(0)
           .u32(2)
           .i64(2)
           .i64(3)
           .u64(20)
           .raw(std::string(20, 'x'))
           .with_checksum();
     },
     "does not match shape [2, 3] of float32 (24 bytes)"},
    {"data for a zero-element tensor",
     [] { return one_tensor_file().u8(3).u32(2).i64(0).i64(3).u64(8).i64(1).with_checksum(); },
     "does not match shape [0, 3] of int64 (0 bytes)"},
    {"bool byte other than 0 and 1",
     [] { return one_tensor_file().u8(2).u32(1).i64(3).u64(3).u8(1).u8(0).u8(2).with_checksum(); },
     "bool tensor \"t\" of group \"w\" holds byte 2 at element 2"},
    {"group name used twice",
     [] { return FileBytes().header().u32(2).name("w").u32(0).name("w").u32(0).with_checksum(); },
     "group \"w\" appears twice"},
    {"trailing bytes under a correct checksum",
     [] { return small_archive_body().raw("x").with_checksum(); }, "1 trailing bytes"},
    {"wrong checksum", [] { return small_archive_body().u32(small_archive_crc ^ 1).bytes; },
     "checksum mismatch: the file stores CRC-32 0x0b057dc1, its contents have 0x0b057dc0"},
};

}  // namespace

BOOST_DATA_TEST_CASE_F(ScratchDir, malformed_files_are_refused_with_a_reason, data::make(bad_files),
                       file) {
  const fs::path path = dir / "bad.rnnkit";
  write_bytes(path, file.bytes());
  RNNKIT_CHECK_THROWS(io::load_archive(path), std::runtime_error,
                      fmt::format("load_archive: \"{}\": ", path.string()), file.message);
}

BOOST_FIXTURE_TEST_CASE(a_missing_file_is_refused_naming_it, ScratchDir) {
  const fs::path path = dir / "absent.rnnkit";
  RNNKIT_CHECK_THROWS(io::load_archive(path), std::runtime_error, path.string(),
                      "No such file or directory");
  RNNKIT_CHECK_THROWS(io::load_archive(dir), std::runtime_error, dir.string(),
                      "not a regular file but a directory");
}

BOOST_FIXTURE_TEST_CASE(saving_into_a_missing_directory_creates_nothing, ScratchDir) {
  const fs::path path = dir / "missing" / "model.rnnkit";
  RNNKIT_CHECK_THROWS(io::save_archive(path, small_archive()), std::runtime_error, path.string(),
                      "No such file or directory");
  BOOST_TEST(entries().empty());
}

BOOST_FIXTURE_TEST_CASE(saving_over_a_directory_fails_and_leaves_no_temporary, ScratchDir) {
  const fs::path target = dir / "model.rnnkit";
  fs::create_directory(target);
  write_bytes(target / "inside", "kept");
  RNNKIT_CHECK_THROWS(io::save_archive(target, small_archive()), std::runtime_error,
                      target.string(), "Is a directory");
  BOOST_TEST(fs::is_directory(target));
  BOOST_TEST(read_bytes(target / "inside") == "kept");
  BOOST_TEST((entries() == std::set<std::string>{"model.rnnkit"}));
}

BOOST_FIXTURE_TEST_CASE(saving_again_replaces_the_file_and_leaves_no_temporary, ScratchDir) {
  const fs::path path = dir / "model.rnnkit";
  io::save_archive(path, small_archive());
  io::save_archive(path, varied_archive());
  check_identical(io::load_archive(path), varied_archive());
  BOOST_TEST((entries() == std::set<std::string>{"model.rnnkit"}));
}

BOOST_FIXTURE_TEST_CASE(a_write_that_fails_midway_leaves_the_previous_file_intact, ScratchDir) {
  const fs::path path = dir / "model.rnnkit";
  io::save_archive(path, small_archive());
  const std::string previous = read_bytes(path);
  Archive large;
  large.groups.push_back({"weights", {{"kernel", Tensor::ones({256, 256})}}});  // 256 KiB
  {
    FileSizeLimit limit(64 * 1024);
    RNNKIT_CHECK_THROWS(io::save_archive(path, large), std::runtime_error, path.string(),
                        "File too large");
  }
  BOOST_TEST(hex(read_bytes(path)) == hex(previous));
  BOOST_TEST((entries() == std::set<std::string>{"model.rnnkit"}));
}

BOOST_FIXTURE_TEST_CASE(an_invalid_archive_is_refused_before_writing, ScratchDir) {
  const fs::path path = dir / "model.rnnkit";
  io::save_archive(path, small_archive());
  const std::string previous = read_bytes(path);

  Archive undefined_tensor;
  undefined_tensor.groups.push_back({"w", {{"kernel", Tensor()}}});
  RNNKIT_CHECK_THROWS(io::save_archive(path, undefined_tensor), std::invalid_argument,
                      "save_archive: tensor \"kernel\" of group \"w\" is undefined");
  Archive repeated_group;
  repeated_group.groups = {{"w", {}}, {"o", {}}, {"w", {}}};
  RNNKIT_CHECK_THROWS(io::save_archive(path, repeated_group), std::invalid_argument,
                      "save_archive: group \"w\" appears twice");

  BOOST_TEST(hex(read_bytes(path)) == hex(previous));
  BOOST_TEST((entries() == std::set<std::string>{"model.rnnkit"}));
}
