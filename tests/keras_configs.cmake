rnnkit_test(keras_configs SOURCES keras_configs_test.cpp LABELS unit)
