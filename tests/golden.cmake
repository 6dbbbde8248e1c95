# Runs every Keras golden case in $RNNKIT_GOLDEN_DIR (default: tests/golden).
rnnkit_test(golden SOURCES golden_test.cpp golden_json.cpp LABELS golden)
target_compile_definitions(test_golden PRIVATE
                           RNNKIT_DEFAULT_GOLDEN_DIR="${CMAKE_CURRENT_SOURCE_DIR}/golden")
