rnnkit_test(io SOURCES io_test.cpp LABELS unit io)
