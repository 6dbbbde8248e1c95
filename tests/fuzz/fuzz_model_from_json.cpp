// libFuzzer entry point of fuzz::model_from_json (fuzz_inputs.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::model_from_json(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
