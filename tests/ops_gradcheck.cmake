rnnkit_test(ops_gradcheck SOURCES ops_gradcheck_test.cpp LABELS gradcheck)
