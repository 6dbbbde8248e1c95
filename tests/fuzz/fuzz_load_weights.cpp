// libFuzzer entry point of fuzz::load_weights (fuzz_inputs.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_inputs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::load_weights(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
