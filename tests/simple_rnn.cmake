rnnkit_test(simple_rnn SOURCES simple_rnn_test.cpp LABELS unit)
