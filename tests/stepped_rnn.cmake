rnnkit_test(stepped_rnn SOURCES stepped_rnn_test.cpp LABELS unit)
