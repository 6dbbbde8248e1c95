rnnkit_test(data_in SOURCES data_in_test.cpp LABELS unit)
