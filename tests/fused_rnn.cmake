rnnkit_test(fused_rnn SOURCES fused_rnn_test.cpp LABELS unit)
# The test reads the weight-reorder counter of the oneDNN kernel, which lives behind src/.
target_include_directories(test_fused_rnn PRIVATE ${PROJECT_SOURCE_DIR}/framework/src)
target_link_libraries(test_fused_rnn PRIVATE DNNL::dnnl)
