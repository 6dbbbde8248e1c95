rnnkit_test(tensor SOURCES tensor_test.cpp LABELS unit)
