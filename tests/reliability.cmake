rnnkit_test(non_finite SOURCES non_finite_test.cpp LABELS unit training)
rnnkit_test(concurrency SOURCES concurrency_test.cpp LABELS unit training)
rnnkit_test(bad_input_catalogue SOURCES bad_input_catalogue_test.cpp LABELS unit)
