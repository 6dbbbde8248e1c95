# install() rules and the exported CMake package: an outside project writes
#   find_package(rnnkit REQUIRED)  and links  rnnkit::rnnkit.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(rnnkit_libraries GLOBAL PROPERTY RNNKIT_LIBRARIES)
install(TARGETS ${rnnkit_libraries} rnnkit EXPORT rnnkitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(rnnkit_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/rnnkit)
install(EXPORT rnnkitTargets NAMESPACE rnnkit:: DESTINATION ${rnnkit_cmake_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/rnnkitConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfig.cmake
                              INSTALL_DESTINATION ${rnnkit_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/rnnkitConfigVersion.cmake
        DESTINATION ${rnnkit_cmake_dir})
