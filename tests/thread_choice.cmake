rnnkit_test(thread_choice SOURCES thread_choice_test.cpp LABELS unit)
# The test drives the choice through its internal entry point, which lives behind src/.
target_include_directories(test_thread_choice PRIVATE ${PROJECT_SOURCE_DIR}/framework/src)
