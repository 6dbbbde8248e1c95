rnnkit_test(hardening_files SOURCES hardening_files_test.cpp LABELS unit io serialization)
