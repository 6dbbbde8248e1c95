# Data-parallel training over MPI, when rnnkit::distributed is built (label mpi). The suite runs as
# one process and as two ranks under mpirun; the fault runs check that a rank that dies, hangs or
# gives up ends the whole job instead of leaving the others waiting.
if(TARGET rnnkit_distributed)
  # Open MPI refuses to run as root unless told to, and would not start more ranks than cores;
  # both are said through its environment, which another MPI ignores. Idle ranks yield the CPU:
  # ctest runs other tests beside them on few cores.
  set(rnnkit_mpi_environment
      OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
      OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mpi_yield_when_idle=1)
  if(RNNKIT_SANITIZE)
    # Open MPI leaks what it allocates for its runtime. The suppressions name its libraries; the
    # slow unwinder finds them in every stack (the fast one stops in Open MPI's plugins, which
    # MPI_Finalize has unloaded by the time LeakSanitizer reports).
    list(APPEND rnnkit_mpi_environment
         "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/distributed/lsan_mpi.supp:print_suppressions=0:fast_unwind_on_malloc=0")
  endif()

  rnnkit_test(distributed SOURCES distributed_test.cpp LABELS unit mpi)
  target_link_libraries(test_distributed PRIVATE rnnkit::distributed)
  set_tests_properties(distributed PROPERTIES ENVIRONMENT "${rnnkit_mpi_environment}" TIMEOUT 300)
  add_test(NAME distributed_2_ranks
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 ${MPIEXEC_PREFLAGS}
                   $<TARGET_FILE:test_distributed> ${MPIEXEC_POSTFLAGS} --log_level=message
                   --report_level=short)
  set_tests_properties(distributed_2_ranks PROPERTIES LABELS mpi PROCESSORS 2 TIMEOUT 300
                       ENVIRONMENT "${rnnkit_mpi_environment}")

  add_executable(distributed_fault distributed_fault.cpp)
  target_link_libraries(distributed_fault PRIVATE rnnkit::rnnkit rnnkit::distributed
                                                  rnnkit_build_options)
  # The message of the rank whose collective timed out, or the launcher's about the dead rank.
  set(expected_exit "rank 1 fails \\(exit\\)")
  set(expected_hang "rank 0 of 2: MPI_[A-Za-z]+ did not complete within 10 s")
  set(expected_throw "rank 1: distributed_fault: rank 1 gives up")
  foreach(mode IN ITEMS exit hang throw)
    add_test(NAME distributed_fault_${mode}
             COMMAND ${CMAKE_COMMAND} -DMPIEXEC=${MPIEXEC_EXECUTABLE}
                     -DPROGRAM=$<TARGET_FILE:distributed_fault> -DMODE=${mode}
                     "-DEXPECT=${expected_${mode}}" -DTIMEOUT=90
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/distributed/run_fault.cmake)
    set_tests_properties(distributed_fault_${mode} PROPERTIES LABELS mpi PROCESSORS 2 TIMEOUT 120
                         ENVIRONMENT "${rnnkit_mpi_environment}")
  endforeach()

  if(RNNKIT_BUILD_EXAMPLES)
    # The example trainer as README runs it: unchanged but for --distributed, rank 0 alone
    # printing the result line.
    set(sine_forecast_dir ${CMAKE_CURRENT_BINARY_DIR}/sine_forecast_2_ranks)
    file(MAKE_DIRECTORY ${sine_forecast_dir})
    add_test(NAME example_sine_forecast_2_ranks
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 ${MPIEXEC_PREFLAGS}
                     $<TARGET_FILE:sine_forecast> ${MPIEXEC_POSTFLAGS} --distributed --epochs 2
                     --samples 400 --no-plot
             WORKING_DIRECTORY ${sine_forecast_dir})
    set_tests_properties(example_sine_forecast_2_ranks PROPERTIES
      LABELS "example;mpi" PROCESSORS 2 TIMEOUT 300 ENVIRONMENT "${rnnkit_mpi_environment}"
      PASS_REGULAR_EXPRESSION
        "sine_forecast: test mse [0-9.]+, last-value baseline mse [0-9.]+ \\([0-9.]+x (better|worse)\\)"
      FAIL_REGULAR_EXPRESSION "sine_forecast: test mse.*sine_forecast: test mse")
  endif()
endif()
