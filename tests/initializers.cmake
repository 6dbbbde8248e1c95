rnnkit_test(initializers SOURCES initializers_test.cpp LABELS unit)
