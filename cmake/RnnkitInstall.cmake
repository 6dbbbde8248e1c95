# install() rules, the exported CMake package and the pkg-config file: an outside project writes
#   find_package(rnnkit REQUIRED)  and links  rnnkit::rnnkit,  or
#   find_package(rnnkit REQUIRED COMPONENTS distributed)  for rnnkit::distributed as well.
# rnnkit::distributed has an export set of its own, loaded only when asked for, so that only its
# users need MPI.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(rnnkit_libraries GLOBAL PROPERTY RNNKIT_LIBRARIES)
list(REMOVE_ITEM rnnkit_libraries rnnkit_distributed)
set(rnnkit_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/rnnkit)
install(TARGETS ${rnnkit_libraries} rnnkit EXPORT rnnkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT rnnkitTargets NAMESPACE rnnkit:: DESTINATION ${rnnkit_cmake_dir})
if(TARGET rnnkit_distributed)
  install(TARGETS rnnkit_distributed EXPORT rnnkitDistributedTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT rnnkitDistributedTargets NAMESPACE rnnkit:: DESTINATION ${rnnkit_cmake_dir})
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/rnnkitConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfig.cmake
                              INSTALL_DESTINATION ${rnnkit_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfigVersion.cmake
        DESTINATION ${rnnkit_cmake_dir})

# rnnkit.pc: the libraries of rnnkit::rnnkit, in link order. A static library needs its private
# dependencies wherever it is linked, so for a static build they are in Libs, not Libs.private.
set(rnnkit_pc_libs "-lrnnkit_layers -lrnnkit_optim -lrnnkit_initializers -lrnnkit_framework")
set(rnnkit_pc_private_libs "-ldnnl ${OpenMP_CXX_FLAGS}")
set(rnnkit_pc_private_requires "zlib")
if(BUILD_SHARED_LIBS)
  set(rnnkit_pc_requires "fmt nlohmann_json")
else()
  set(rnnkit_pc_libs "${rnnkit_pc_libs} ${rnnkit_pc_private_libs}")
  set(rnnkit_pc_private_libs "")
  set(rnnkit_pc_requires "fmt nlohmann_json zlib")
  set(rnnkit_pc_private_requires "")
endif()
# Paths relative to the .pc file, so that an installed tree can move (Debian's multiarch libdir is
# two levels deep).
file(RELATIVE_PATH rnnkit_pc_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" rnnkit_pc_prefix ${rnnkit_pc_prefix})
file(RELATIVE_PATH rnnkit_pc_libdir ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_LIBDIR})
file(RELATIVE_PATH rnnkit_pc_includedir ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_FULL_INCLUDEDIR})
if(RNNKIT_SANITIZE)
  # Sanitized libraries need the sanitizers' runtimes wherever they are linked.
  set(rnnkit_pc_libs "${rnnkit_pc_libs} -fsanitize=address,undefined")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/rnnkit.pc.in ${CMAKE_CURRENT_BINARY_DIR}/rnnkit.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/rnnkit.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
