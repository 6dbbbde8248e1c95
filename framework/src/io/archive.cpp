#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "io/bytes.h"
#include "io/file.h"
#include "io/format.h"
#include "rnnkit/framework/io.h"
#include "tensor_impl.h"

namespace rnnkit::io {
namespace {

std::uint32_t to_u32(std::size_t value, std::string_view what) {
  if (value > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument(fmt::format("save_archive: {} is {}, more than the format's {}",
                                            what, value,
                                            std::numeric_limits<std::uint32_t>::max()));
  }
  return static_cast<std::uint32_t>(value);
}

std::uint8_t dtype_code(DType dtype) {
  const auto entry = std::ranges::find_if(detail::dtype_codes,
                                          [&](const auto& code) { return code.second == dtype; });
  if (entry == detail::dtype_codes.end()) {
    throw std::invalid_argument(
        fmt::format("save_archive: dtype {} has no archive code", dtype_name(dtype)));
  }
  return entry->first;
}

/// The tensor's elements in row-major order, as raw bytes.
std::string_view tensor_bytes(const Tensor& tensor) {
  const char* data = rnnkit::detail::dispatch_any(tensor.dtype(), [&](auto zero) {
    return reinterpret_cast<const char*>(tensor.data<decltype(zero)>());
  });
  return {data, static_cast<std::size_t>(tensor.numel()) * dtype_size(tensor.dtype())};
}

void write_tensor(detail::ByteWriter& out, const NamedTensor& named, std::string_view group) {
  const Tensor& tensor = named.value;
  if (!tensor.defined()) {
    throw std::invalid_argument(
        fmt::format("save_archive: tensor \"{}\" of group \"{}\" is undefined", named.name, group));
  }
  out.u32(to_u32(named.name.size(), "a tensor name's length"));
  out.raw(named.name);
  out.u8(dtype_code(tensor.dtype()));
  out.u32(to_u32(tensor.shape().size(), "a tensor's rank"));
  for (const std::int64_t d : tensor.shape()) out.i64(d);
  const std::string_view data = tensor_bytes(tensor);
  out.u64(data.size());
  if (tensor.dtype() == DType::boolean) {
    // The format's bools are 0 or 1; storage written through mutable_data may hold other bytes.
    for (const char byte : data) out.u8(byte != 0 ? 1 : 0);
  } else {
    out.raw(data);
  }
}

std::string encode(const Archive& archive) {
  detail::ByteWriter out;
  out.raw(detail::magic);
  out.u32(detail::format_version);
  out.u64(archive.metadata.size());
  out.raw(archive.metadata);
  out.u32(to_u32(archive.groups.size(), "the group count"));
  for (auto group = archive.groups.begin(); group != archive.groups.end(); ++group) {
    const auto& [name, tensors] = *group;
    if (std::any_of(archive.groups.begin(), group,
                    [&](const auto& earlier) { return earlier.first == group->first; })) {
      throw std::invalid_argument(fmt::format(
          "save_archive: group \"{}\" appears twice; group names must be unique", name));
    }
    out.u32(to_u32(name.size(), "a group name's length"));
    out.raw(name);
    out.u32(to_u32(tensors.size(), "a group's tensor count"));
    for (const NamedTensor& tensor : tensors) write_tensor(out, tensor, name);
  }
  out.u32(detail::crc32_of(out.bytes()));
  return std::move(out).take();
}

}  // namespace

const std::vector<NamedTensor>* Archive::group(std::string_view name) const {
  const auto found =
      std::ranges::find_if(groups, [&](const auto& group) { return group.first == name; });
  return found == groups.end() ? nullptr : &found->second;
}

void save_archive(const std::filesystem::path& path, const Archive& archive) {
  detail::write_file_atomically("save_archive", path, encode(archive));
}

}  // namespace rnnkit::io
