rnnkit_test(threads_hardening SOURCES threads_hardening_test.cpp LABELS unit)
# The test sets the load probe through the internal entry points, which live behind src/.
target_include_directories(test_threads_hardening PRIVATE ${PROJECT_SOURCE_DIR}/framework/src)
target_link_libraries(test_threads_hardening PRIVATE OpenMP::OpenMP_CXX)
