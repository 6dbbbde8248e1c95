rnnkit_test(serialization SOURCES serialization_test.cpp LABELS unit serialization)
