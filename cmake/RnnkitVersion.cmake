# <rnnkit/version.h>, generated from project(VERSION): seen by whatever links rnnkit::rnnkit,
# installed beside the others.
include(GNUInstallDirs)
set(rnnkit_generated_include_dir ${PROJECT_BINARY_DIR}/generated/include)
configure_file(${CMAKE_CURRENT_LIST_DIR}/version.h.in
               ${rnnkit_generated_include_dir}/rnnkit/version.h @ONLY)
target_include_directories(rnnkit INTERFACE $<BUILD_INTERFACE:${rnnkit_generated_include_dir}>)
install(FILES ${rnnkit_generated_include_dir}/rnnkit/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rnnkit)
