rnnkit_test(gather_rows SOURCES gather_rows_test.cpp LABELS unit gradcheck)
