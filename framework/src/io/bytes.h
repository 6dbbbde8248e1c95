#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace rnnkit::io::detail {

/// Appends little-endian integers and raw bytes to a growing buffer.
class ByteWriter {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void u32(std::uint32_t value) { little_endian(value, 4); }
  void u64(std::uint64_t value) { little_endian(value, 8); }
  void i64(std::int64_t value) { little_endian(static_cast<std::uint64_t>(value), 8); }
  void raw(std::string_view bytes) { bytes_.append(bytes); }
  const std::string& bytes() const { return bytes_; }
  std::string take() && { return std::move(bytes_); }

 private:
  void little_endian(std::uint64_t value, int count) {
    for (int i = 0; i < count; ++i) bytes_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  std::string bytes_;
};

/// Reads little-endian integers and byte runs from a buffer, refusing to read past its end:
/// every failure is a std::runtime_error that starts with `context` and gives the offset.
class ByteReader {
 public:
  /// Reads `bytes` from `offset` (at most bytes.size()) on.
  ByteReader(std::string_view bytes, std::string context, std::size_t offset = 0)
      : bytes_(bytes), context_(std::move(context)), offset_(offset) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(little_endian(4)); }
  std::uint64_t u64() { return little_endian(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(little_endian(8)); }
  /// The next `count` bytes, without copying them.
  std::string_view take(std::uint64_t count) {
    if (count > remaining()) {
      fail(fmt::format("truncated: expected {} more bytes at offset {}, {} remain", count, offset_,
                       remaining()));
    }
    const std::string_view run = bytes_.substr(offset_, static_cast<std::size_t>(count));
    offset_ += static_cast<std::size_t>(count);
    return run;
  }

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }
  [[noreturn]] void fail(std::string_view what) const {
    throw std::runtime_error(fmt::format("{}: {}", context_, what));
  }

 private:
  std::uint64_t little_endian(int count) {
    const std::string_view run = take(static_cast<std::uint64_t>(count));
    std::uint64_t value = 0;
    for (int i = 0; i < count; ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(run[i])) << (8 * i);
    }
    return value;
  }

  std::string_view bytes_;
  std::string context_;
  std::size_t offset_ = 0;
};

}  // namespace rnnkit::io::detail
