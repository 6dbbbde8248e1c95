# Compile settings shared by every rnnkit target, and the helper that declares one library
# per source folder (include/ is public, src/ is private).

add_library(rnnkit_build_options INTERFACE)
target_compile_options(rnnkit_build_options INTERFACE -Wall -Wextra -Wpedantic)
# GCC 12 reports false "may be used uninitialized" warnings inside Eigen's AVX-512 packet code,
# and false -Wrestrict ones for std::string's operator+ (GCC bug 105329; every
# BOOST_DATA_TEST_CASE name hits it).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(rnnkit_build_options INTERFACE -Wno-maybe-uninitialized -Wno-restrict)
endif()
# GCC 12.2 with AVX-512 stores a 32/64-byte constant whose high 8-byte words are zero as a
# broadcast of its low word (double[4]{1, 1, 1, 0} is written as {1, 1, 1, 1}); this disables that.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(rnnkit_build_options INTERFACE -mtune-ctrl=^inter_unit_moves_to_vec)
endif()
if(RNNKIT_NATIVE)
  target_compile_options(rnnkit_build_options INTERFACE -march=native)
endif()
if(RNNKIT_SANITIZE)
  # Sanitizer instrumentation turns GCC 12's Eigen AVX-512 false positive into -Wuninitialized.
  target_compile_options(rnnkit_build_options INTERFACE -fsanitize=address,undefined
                                                        -fno-omit-frame-pointer -fno-sanitize-recover=all
                                                        $<$<CXX_COMPILER_ID:GNU>:-Wno-uninitialized>)
  target_link_options(rnnkit_build_options INTERFACE -fsanitize=address,undefined)
endif()
if(RNNKIT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RNNKIT_FUZZ needs clang's libFuzzer: -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Coverage for libFuzzer in every rnnkit target; only the fuzz targets link its main().
  target_compile_options(rnnkit_build_options INTERFACE
                         -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer
                         -fno-sanitize-recover=all)
  target_link_options(rnnkit_build_options INTERFACE -fsanitize=address,undefined)
endif()

set(rnnkit_version_script ${CMAKE_CURRENT_LIST_DIR}/rnnkit.map)

# rnnkit_add_library(<folder> [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Creates target rnnkit_<folder>, exported as rnnkit::<folder>, from <folder>/src/**.cpp; static,
# or shared with BUILD_SHARED_LIBS (SONAME librnnkit_<folder>.so.<major>.<minor>, the ABI that
# rnnkitConfigVersion.cmake promises, exporting what cmake/rnnkit.map lists).
function(rnnkit_add_library folder)
  cmake_parse_arguments(ARG "" "" "PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  set(target rnnkit_${folder})
  add_library(${target} ${sources})
  add_library(rnnkit::${folder} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${folder} OUTPUT_NAME rnnkit_${folder})
  target_include_directories(${target}
    PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS}
                                  PRIVATE ${ARG_PRIVATE_DEPS} $<BUILD_INTERFACE:rnnkit_build_options>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(BUILD_SHARED_LIBS)
    # No <target>_EXPORTS macro: nothing reads it, and without it a shared build compiles each
    # file exactly as a static one does (a compiler cache serves both).
    set_target_properties(${target} PROPERTIES
      VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
      LINK_DEPENDS ${rnnkit_version_script} DEFINE_SYMBOL "")
    # Installed, each library finds the others it needs beside itself, wherever the prefix is.
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN")
    target_link_options(${target} PRIVATE LINKER:--version-script=${rnnkit_version_script})
    # Every symbol must come from a declared dependency (the sanitizers' runtimes come only with
    # the program).
    if(NOT RNNKIT_SANITIZE AND NOT RNNKIT_FUZZ)
      target_link_options(${target} PRIVATE LINKER:--no-undefined)
    endif()
  endif()
  if(RNNKIT_SANITIZE)
    # A sanitized static library needs the sanitizer runtimes wherever it is linked, installed too.
    target_link_options(${target} INTERFACE -fsanitize=address,undefined)
  endif()
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION include)
  set_property(GLOBAL APPEND PROPERTY RNNKIT_LIBRARIES ${target})
endfunction()
