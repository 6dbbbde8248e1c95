rnnkit_test(functional SOURCES functional_test.cpp LABELS unit gradcheck)
