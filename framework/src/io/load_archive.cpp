#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/bytes.h"
#include "io/file.h"
#include "io/format.h"
#include "rnnkit/framework/io.h"
#include "tensor_impl.h"

namespace rnnkit::io {
namespace {

using detail::ByteReader;

/// A tensor as the file describes it, its data still inside the file's bytes.
struct TensorRecord {
  std::string name;
  DType dtype = DType::f32;
  Shape shape;
  std::string_view data;
};

struct GroupRecord {
  std::string name;
  std::vector<TensorRecord> tensors;
};

std::optional<DType> dtype_of_code(std::uint8_t code) {
  const auto entry = std::ranges::find_if(detail::dtype_codes,
                                          [&](const auto& known) { return known.first == code; });
  if (entry == detail::dtype_codes.end()) return std::nullopt;
  return entry->second;
}

/// The byte count of `shape` with elements of `element_size` bytes, or nullopt if the element
/// count overflows int64 (before any zero dimension is applied, so that numel() never does).
std::optional<std::uint64_t> data_size(const Shape& shape, std::size_t element_size) {
  std::int64_t nonzero_product = 1;
  bool has_zero = false;
  for (const std::int64_t d : shape) {
    if (d == 0) {
      has_zero = true;
    } else if (__builtin_mul_overflow(nonzero_product, d, &nonzero_product)) {
      return std::nullopt;
    }
  }
  if (has_zero) return 0;
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(nonzero_product), element_size, &bytes)) {
    return std::nullopt;
  }
  return bytes;
}

TensorRecord read_tensor(ByteReader& in, std::string_view group) {
  TensorRecord tensor;
  tensor.name = std::string(in.take(in.u32()));
  const auto where = [&] {
    return fmt::format("tensor \"{}\" of group \"{}\"", tensor.name, group);
  };
  const std::size_t code_offset = in.offset();
  const std::uint8_t code = in.u8();
  const std::optional<DType> dtype = dtype_of_code(code);
  if (!dtype) {
    in.fail(fmt::format("{} has unknown dtype code {} at offset {}", where(), code, code_offset));
  }
  tensor.dtype = *dtype;
  // No reserve: the rank comes from the file; every dimension read is bounded by its size.
  const std::uint32_t rank = in.u32();
  for (std::uint32_t axis = 0; axis < rank; ++axis) {
    const std::size_t dim_offset = in.offset();
    tensor.shape.push_back(in.i64());
    if (tensor.shape.back() < 0) {
      in.fail(fmt::format("{} has negative dimension {} at offset {}", where(), tensor.shape.back(),
                          dim_offset));
    }
  }
  const std::size_t length_offset = in.offset();
  const std::uint64_t length = in.u64();
  const std::optional<std::uint64_t> expected = data_size(tensor.shape, dtype_size(tensor.dtype));
  if (!expected) {
    in.fail(fmt::format("{} has shape {}, too many elements", where(), shape_str(tensor.shape)));
  }
  if (length != *expected) {
    in.fail(fmt::format("{}: data length {} at offset {} does not match shape {} of {} ({} bytes)",
                        where(), length, length_offset, shape_str(tensor.shape),
                        dtype_name(tensor.dtype), *expected));
  }
  tensor.data = in.take(length);
  return tensor;
}

/// Reads the layout after magic and version, checking every size against the bytes present.
std::vector<GroupRecord> read_groups(ByteReader& in) {
  std::vector<GroupRecord> groups;
  const std::uint32_t group_count = in.u32();
  for (std::uint32_t g = 0; g < group_count; ++g) {
    GroupRecord group;
    group.name = std::string(in.take(in.u32()));
    const std::uint32_t tensor_count = in.u32();
    for (std::uint32_t t = 0; t < tensor_count; ++t) {
      group.tensors.push_back(read_tensor(in, group.name));
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

/// What the checksum cannot vouch for: a file written by something other than save_archive.
void check_contents(const ByteReader& in, const std::vector<GroupRecord>& groups) {
  for (auto group = groups.begin(); group != groups.end(); ++group) {
    if (std::any_of(groups.begin(), group,
                    [&](const GroupRecord& earlier) { return earlier.name == group->name; })) {
      in.fail(fmt::format("group \"{}\" appears twice", group->name));
    }
    for (const TensorRecord& tensor : group->tensors) {
      if (tensor.dtype != DType::boolean) continue;
      const auto bad =
          std::ranges::find_if(tensor.data, [](char byte) { return byte != 0 && byte != 1; });
      if (bad != tensor.data.end()) {
        in.fail(fmt::format(
            "bool tensor \"{}\" of group \"{}\" holds byte {} at element {} "
            "(expected 0 or 1)",
            tensor.name, group->name, static_cast<unsigned char>(*bad), bad - tensor.data.begin()));
      }
    }
  }
}

Tensor make_tensor(const TensorRecord& record, std::string_view group, const ByteReader& in) {
  Tensor tensor;
  try {
    tensor = Tensor::empty(record.shape, record.dtype);
  } catch (const std::bad_alloc&) {
    in.fail(fmt::format(
        "tensor \"{}\" of group \"{}\" ({} of shape {}, {} bytes) does not fit "
        "in this process's memory",
        record.name, group, dtype_name(record.dtype), shape_str(record.shape), record.data.size()));
  }
  if (record.data.empty()) return tensor;
  char* data = rnnkit::detail::dispatch_any(record.dtype, [&](auto zero) {
    return reinterpret_cast<char*>(tensor.mutable_data<decltype(zero)>());
  });
  std::memcpy(data, record.data.data(), record.data.size());
  return tensor;
}

}  // namespace

Archive load_archive(const std::filesystem::path& path) {
  const std::string bytes = detail::read_file("load_archive", path);
  const std::string context = fmt::format("load_archive: {}", detail::quoted(path));
  ByteReader header(bytes, context);
  if (!detail::magic.starts_with(std::string_view(bytes).substr(0, detail::magic.size()))) {
    header.fail("not an rnnkit archive (bad magic)");
  }
  header.take(detail::magic.size());
  const std::uint32_t version = header.u32();
  if (version != detail::format_version) {
    header.fail(fmt::format("unsupported format version {} (this build reads {})", version,
                            detail::format_version));
  }
  if (header.remaining() < detail::checksum_size) header.take(detail::checksum_size);  // throws

  // The layout is read first, from everything before the checksum, so that a cut file is
  // reported as truncated rather than as a checksum mismatch.
  const std::string_view checksummed =
      std::string_view(bytes).substr(0, bytes.size() - detail::checksum_size);
  ByteReader body(checksummed, context, header.offset());
  Archive archive;
  const std::string_view metadata = body.take(body.u64());
  try {
    archive.metadata = std::string(metadata);
  } catch (const std::bad_alloc&) {
    body.fail(fmt::format("the metadata ({} bytes) does not fit in this process's memory",
                          metadata.size()));
  }
  const std::vector<GroupRecord> groups = read_groups(body);
  if (body.remaining() != 0) {
    body.fail(fmt::format("{} trailing bytes after the last group, at offset {}", body.remaining(),
                          body.offset()));
  }
  const std::uint32_t stored = ByteReader(bytes, context, checksummed.size()).u32();
  const std::uint32_t computed = detail::crc32_of(checksummed);
  if (stored != computed) {
    body.fail(
        fmt::format("checksum mismatch: the file stores CRC-32 {:#010x}, its contents have "
                    "{:#010x}",
                    stored, computed));
  }
  check_contents(body, groups);

  for (const GroupRecord& group : groups) {
    std::vector<NamedTensor> tensors;
    tensors.reserve(group.tensors.size());
    for (const TensorRecord& record : group.tensors) {
      tensors.push_back({record.name, make_tensor(record, group.name, body)});
    }
    archive.groups.emplace_back(group.name, std::move(tensors));
  }
  return archive;
}

}  // namespace rnnkit::io
