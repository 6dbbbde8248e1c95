rnnkit_test(hardening_layers SOURCES hardening_layers_test.cpp LABELS unit)
