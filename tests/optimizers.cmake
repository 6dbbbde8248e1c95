rnnkit_test(optimizers SOURCES optimizers_test.cpp LABELS unit)
