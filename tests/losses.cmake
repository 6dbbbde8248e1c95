rnnkit_test(losses SOURCES losses_test.cpp LABELS unit)
