rnnkit_test(messages SOURCES messages_test.cpp LABELS unit)
