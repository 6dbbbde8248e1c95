# Installs rnnkit into a scratch prefix and builds an outside project against it, with CMake's
# find_package and with pkg-config. install_consumer installs this build (static by default),
# with the suite; install_consumer_shared first configures and builds the libraries again as
# shared ones (the whole library build once more: about 6 minutes of CPU), only when asked for:
#   ctest -C shared -L install-shared
set(rnnkit_consumer_arguments
    -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DVERSION=${PROJECT_VERSION} -DDISTRIBUTED=$<TARGET_EXISTS:rnnkit_distributed>)
add_test(NAME install_consumer
         COMMAND ${CMAKE_COMMAND} ${rnnkit_consumer_arguments} -DBUILD_DIR=${PROJECT_BINARY_DIR}
                 -DSHARED=${BUILD_SHARED_LIBS} -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/consumer-work
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.cmake)
set_tests_properties(install_consumer PROPERTIES LABELS "unit;install")
add_test(NAME install_consumer_shared
         COMMAND ${CMAKE_COMMAND} ${rnnkit_consumer_arguments}
                 -DRNNKIT_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
                 -DBUILD_DIR=${CMAKE_CURRENT_BINARY_DIR}/shared-build -DSHARED=ON
                 -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/consumer-shared-work
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.cmake
         CONFIGURATIONS shared)
set_tests_properties(install_consumer_shared PROPERTIES LABELS install-shared TIMEOUT 3600)
