rnnkit_test(functional SOURCES functional_test.cpp LABELS unit gradcheck)

# README's functional program: built and run, and README must show it verbatim.
add_executable(readme_functional_encoder_decoder readme/functional_encoder_decoder.cpp)
target_link_libraries(readme_functional_encoder_decoder PRIVATE rnnkit::rnnkit
                                                                rnnkit_build_options)
add_test(NAME readme_functional_encoder_decoder_runs COMMAND readme_functional_encoder_decoder)
set_tests_properties(readme_functional_encoder_decoder_runs PROPERTIES LABELS unit
                     ENVIRONMENT "OMP_NUM_THREADS=1")
add_test(NAME readme_functional_encoder_decoder_shown
         COMMAND ${CMAKE_COMMAND} -DREADME=${PROJECT_SOURCE_DIR}/README.md
                 -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/readme/functional_encoder_decoder.cpp
                 -P ${PROJECT_SOURCE_DIR}/cmake/check_readme_snippet.cmake)
set_tests_properties(readme_functional_encoder_decoder_shown PROPERTIES LABELS unit)
