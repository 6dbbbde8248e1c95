rnnkit_test(dense SOURCES dense_test.cpp LABELS unit gradcheck)
