rnnkit_test(ops_f32_f64 SOURCES ops_f32_f64_test.cpp LABELS unit)
