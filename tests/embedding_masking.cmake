rnnkit_test(embedding_masking SOURCES embedding_masking_test.cpp LABELS unit gradcheck)
