# ctest driver: installs rnnkit into a scratch prefix, then builds and runs the consumer against
# it twice — as a CMake project (find_package, MPI hidden) and with the compiler alone
# (pkg-config) — and checks that the component "distributed" is found exactly when built.
# Variables: BUILD_DIR (the rnnkit build to install), SOURCE_DIR (tests/consumer), WORK_DIR,
# CXX_COMPILER, VERSION (rnnkit's), SHARED (ON: the build's libraries are shared), DISTRIBUTED
# (ON: the build has rnnkit::distributed).
# With RNNKIT_SOURCE_DIR set, BUILD_DIR is first configured from it as a shared-library build of
# the libraries alone and built (CMAKE_CXX_COMPILER_LAUNCHER passed on when set).

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(status)
    message(FATAL_ERROR "${what} failed (${status}):\n${output}")
  endif()
  message(STATUS "${what}: ok")
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

if(RNNKIT_SOURCE_DIR)
  set(launcher)
  if(CMAKE_CXX_COMPILER_LAUNCHER)
    set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  run("configuring the shared rnnkit build" ${CMAKE_COMMAND} -S ${RNNKIT_SOURCE_DIR}
      -B ${BUILD_DIR} -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON
      -DRNNKIT_BUILD_TESTS=OFF -DRNNKIT_BUILD_EXAMPLES=OFF -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
      ${launcher})
  run("building the shared rnnkit libraries" ${CMAKE_COMMAND} --build ${BUILD_DIR} -j2)
endif()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${prefix} ${WORK_DIR}/cmake-build ${WORK_DIR}/distributed-build
     ${WORK_DIR}/distributed-no-mpi-build ${WORK_DIR}/pkg-config-build)
run("installing rnnkit" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

file(GLOB pc_file ${prefix}/lib*/pkgconfig/rnnkit.pc)
if(NOT pc_file)
  message(FATAL_ERROR "no lib*/pkgconfig/rnnkit.pc under ${prefix}")
endif()
get_filename_component(libdir ${pc_file} DIRECTORY)
get_filename_component(libdir ${libdir} DIRECTORY)
if(NOT EXISTS ${prefix}/include/rnnkit/version.h)
  message(FATAL_ERROR "include/rnnkit/version.h is not installed")
endif()
string(REGEX MATCH "^[0-9]+\\.[0-9]+" abi_version ${VERSION})
foreach(library IN ITEMS framework initializers optim layers)
  if(SHARED)
    set(file ${libdir}/librnnkit_${library}.so.${abi_version})
  else()
    set(file ${libdir}/librnnkit_${library}.a)
  endif()
  if(NOT EXISTS ${file})
    message(FATAL_ERROR "expected ${file} to be installed")
  endif()
endforeach()

# A shared library's SONAME carries the ABI version, and it exports rnnkit's symbols only.
if(SHARED)
  find_program(READELF_EXECUTABLE readelf REQUIRED)
  find_program(NM_EXECUTABLE nm REQUIRED)
  foreach(library IN ITEMS framework initializers optim layers)
    set(file ${libdir}/librnnkit_${library}.so.${abi_version})
    run("reading the SONAME of ${file}" ${READELF_EXECUTABLE} -d ${file})
    if(NOT run_output MATCHES "Library soname: \\[librnnkit_${library}\\.so\\.${abi_version}\\]")
      message(FATAL_ERROR "${file} lacks SONAME librnnkit_${library}.so.${abi_version}")
    endif()
    run("listing the symbols ${file} exports" ${NM_EXECUTABLE} -D -C --defined-only ${file})
    string(REGEX REPLACE "\n$" "" exported "${run_output}")
    string(REPLACE "\n" ";" exported "${exported}")
    list(FILTER exported EXCLUDE REGEX "rnnkit::")
    if(exported)
      list(JOIN exported "\n" exported)
      message(FATAL_ERROR "${file} exports symbols of other libraries:\n${exported}")
    endif()
  endforeach()
endif()

# find_package, with MPI hidden: rnnkit::rnnkit must not need it.
run("configuring the consumer (find_package, no MPI)" ${CMAKE_COMMAND} -S ${SOURCE_DIR}
    -B ${WORK_DIR}/cmake-build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON)
run("building the consumer (find_package)" ${CMAKE_COMMAND} --build ${WORK_DIR}/cmake-build)
run("running the consumer (find_package)" ${WORK_DIR}/cmake-build/consumer)
message(STATUS "${run_output}")

# COMPONENTS distributed: found when built (MPI then found too), refused otherwise.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/distributed-build
                        -DCMAKE_PREFIX_PATH=${prefix} -DCONSUMER_DISTRIBUTED=ON
                        -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
                RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(DISTRIBUTED AND status)
  message(FATAL_ERROR "COMPONENTS distributed was not found:\n${output}")
elseif(NOT DISTRIBUTED AND NOT status)
  message(FATAL_ERROR "COMPONENTS distributed was found in a build without it")
endif()
message(STATUS "COMPONENTS distributed found: ${DISTRIBUTED}, as built")
# ... and it, not rnnkit::rnnkit, is what needs MPI: hidden, MPI fails it (so hiding MPI above
# did bite).
if(DISTRIBUTED)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/distributed-no-mpi-build
                          -DCMAKE_PREFIX_PATH=${prefix} -DCONSUMER_DISTRIBUTED=ON
                          -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON
                  RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status OR NOT output MATCHES "MPI")
    message(FATAL_ERROR "COMPONENTS distributed was found with MPI hidden:\n${output}")
  endif()
  message(STATUS "COMPONENTS distributed with MPI hidden: refused")
endif()

# pkg-config and the compiler alone.
find_program(PKG_CONFIG_EXECUTABLE pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)
run("pkg-config" ${PKG_CONFIG_EXECUTABLE} --cflags --libs rnnkit)
string(STRIP "${run_output}" pkg_config_flags)
separate_arguments(pkg_config_flags UNIX_COMMAND "${pkg_config_flags}")
run("pkg-config --modversion" ${PKG_CONFIG_EXECUTABLE} --modversion rnnkit)
string(STRIP "${run_output}" pc_version)
if(NOT pc_version STREQUAL VERSION)
  message(FATAL_ERROR "rnnkit.pc says version ${pc_version}, expected ${VERSION}")
endif()
set(rpath)
if(SHARED)
  set(rpath -Wl,-rpath,${libdir})
endif()
file(MAKE_DIRECTORY ${WORK_DIR}/pkg-config-build)
set(program ${WORK_DIR}/pkg-config-build/consumer)
run("building the consumer (pkg-config)" ${CXX_COMPILER} -std=c++20 -O1
    "-DRNNKIT_EXPECTED_VERSION=\"${pc_version}\"" ${SOURCE_DIR}/main.cpp -o ${program}
    ${pkg_config_flags} ${rpath})
run("running the consumer (pkg-config)" ${program})
message(STATUS "${run_output}")
