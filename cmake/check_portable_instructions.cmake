# Fails when a library holds AVX or AVX-512 instructions (ymm or zmm registers, VEX/EVEX-encoded
# xmm ones) outside functions whose names mark them as ISA variants (GCC's target_clones clones,
# `.avx2.`, `.arch_x86_64_v4.`, …, or names ending in _avx2 / _avx512), which the default build
# must not: it has to run on any x86-64. Variables: OBJDUMP, LIBRARIES (a list of files).
set(variant_pattern "\\.(avx|arch_|sse|fma|default)|_avx(2|512)[A-Za-z0-9_]*$")
set(offending_total 0)
foreach(library IN LISTS LIBRARIES)
  # grep keeps only function headers and the instructions of interest, so that CMake never
  # reads the whole disassembly.
  execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${library}
                  COMMAND grep -E "^[0-9a-f]+ <|%[yz]mm[0-9]|%k[0-7]|\tv[a-z0-9]+ +[^#]*%xmm"
                  OUTPUT_VARIABLE disassembly RESULT_VARIABLE status)
  if(status STREQUAL "2" OR NOT status MATCHES "^[0-9]+$")
    message(FATAL_ERROR "disassembling ${library} failed: ${status}")
  endif()
  string(REPLACE "\n" ";" lines "${disassembly}")
  set(function "")
  set(offending 0)
  set(examples "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^[0-9a-f]+ <(.*)>:$")
      set(function "${CMAKE_MATCH_1}")
    elseif(NOT line STREQUAL "" AND NOT function MATCHES "${variant_pattern}")
      math(EXPR offending "${offending} + 1")
      list(LENGTH examples shown)
      if(shown LESS 5)
        list(APPEND examples "${function}: ${line}")
      endif()
    endif()
  endforeach()
  message(STATUS "${library}: ${offending} AVX/AVX-512 instructions outside ISA variants")
  if(offending GREATER 0)
    list(JOIN examples "\n  " examples)
    message(SEND_ERROR "${library} needs more than x86-64, e.g.:\n  ${examples}")
  endif()
endforeach()
