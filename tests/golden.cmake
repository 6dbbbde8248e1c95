# Runs every Keras golden case in $RNNKIT_GOLDEN_DIR (default: tests/golden).
rnnkit_test(golden SOURCES golden_test.cpp golden_json.cpp LABELS golden)
target_compile_definitions(test_golden PRIVATE
                           RNNKIT_DEFAULT_GOLDEN_DIR="${CMAKE_CURRENT_SOURCE_DIR}/golden")

# Self-tests of the runner (cases written by golden_selftest/make_cases.py without rnnkit).
# rnnkit_golden_run(<test name> <directory> [WILL_FAIL]) runs test_golden on <directory>.
function(rnnkit_golden_run name directory)
  add_test(NAME ${name} COMMAND test_golden --log_level=message --report_level=short)
  set_tests_properties(${name} PROPERTIES LABELS golden ENVIRONMENT
                       "RNNKIT_GOLDEN_DIR=${directory};OMP_NUM_THREADS=1")
  if(ARGN STREQUAL "WILL_FAIL")
    set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE)
  endif()
endfunction()

# The schema parts the shipped cases do not use; must pass.
rnnkit_golden_run(golden_extended ${CMAKE_CURRENT_SOURCE_DIR}/golden_selftest/extended)

# Each must fail: git cannot hold an empty folder, so that one is made here.
set(golden_empty_dir ${CMAKE_CURRENT_BINARY_DIR}/golden_selftest_empty)
file(REMOVE_RECURSE ${golden_empty_dir})
file(MAKE_DIRECTORY ${golden_empty_dir})
rnnkit_golden_run(golden_bad_empty_directory ${golden_empty_dir} WILL_FAIL)
foreach(bad IN ITEMS unknown_field unknown_kind unknown_schema cannot_run
                     contradictory_regularizer optimizer_field wrong_value)
  rnnkit_golden_run(golden_bad_${bad} ${CMAKE_CURRENT_SOURCE_DIR}/golden_selftest/bad_${bad}
                    WILL_FAIL)
endforeach()
