rnnkit_test(simple_rnn_paths SOURCES simple_rnn_paths_test.cpp LABELS unit)
