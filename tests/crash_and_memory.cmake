# Checkpoints survive SIGKILL and full disks, memory stays flat over long runs, and valgrind finds
# no memory error or leak in a short training run.

# The child process the crash test kills.
add_executable(checkpoint_writer reliability/checkpoint_writer.cpp)
target_link_libraries(checkpoint_writer PRIVATE rnnkit::rnnkit rnnkit_build_options)
target_include_directories(checkpoint_writer PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

rnnkit_test(crash_safety SOURCES reliability/crash_safety_test.cpp LABELS unit io)
target_compile_definitions(test_crash_safety
                           PRIVATE RNNKIT_CHECKPOINT_WRITER="$<TARGET_FILE:checkpoint_writer>")
add_dependencies(test_crash_safety checkpoint_writer)

# The short soak runs with the suite; the long one only when asked for: ctest -C soak -L soak.
rnnkit_test(soak SOURCES reliability/soak_test.cpp LABELS unit training)
add_test(NAME soak_long COMMAND test_soak --log_level=message --report_level=short -- 30000
         CONFIGURATIONS soak)
set_tests_properties(soak_long PROPERTIES LABELS soak ENVIRONMENT "OMP_NUM_THREADS=1")

# Valgrind 3.19 cannot decode AVX-512 (code built with -march=native on an AVX-512 machine dies of
# SIGILL), so the test needs RNNKIT_NATIVE off, and cannot run on sanitizer-instrumented code.
# Valgrind hides AVX-512 from CPUID, so oneDNN's JIT already picks AVX2 under it;
# ONEDNN_MAX_CPU_ISA pins that choice rather than leaving it to what valgrind reports.
find_program(VALGRIND_EXECUTABLE valgrind)
if(VALGRIND_EXECUTABLE AND NOT RNNKIT_NATIVE AND NOT RNNKIT_SANITIZE)
  add_executable(memcheck_training reliability/memcheck_training.cpp)
  target_link_libraries(memcheck_training PRIVATE rnnkit::rnnkit rnnkit_build_options)
  add_test(NAME memcheck
           COMMAND ${VALGRIND_EXECUTABLE} --tool=memcheck --error-exitcode=1 --leak-check=full
                   --errors-for-leak-kinds=definite $<TARGET_FILE:memcheck_training>
                   ${CMAKE_CURRENT_BINARY_DIR}/memcheck_training.rnnkit)
  set_tests_properties(memcheck PROPERTIES LABELS memcheck TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1;ONEDNN_MAX_CPU_ISA=AVX2")
else()
  message(STATUS "memcheck test not registered: it needs valgrind and -DRNNKIT_NATIVE=OFF "
                 "-DRNNKIT_SANITIZE=OFF")
endif()
