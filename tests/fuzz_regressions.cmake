rnnkit_test(fuzz_regressions SOURCES fuzz_regressions_test.cpp LABELS unit io serialization)
