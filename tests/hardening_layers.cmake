rnnkit_test(hardening_layers SOURCES hardening_layers_test.cpp LABELS unit)

# README's custom-cell and Masking programs: each is built and run, and README must show it
# verbatim (cmake/check_readme_snippet.cmake), so the examples cannot rot.
foreach(snippet IN ITEMS custom_cell masking_mask)
  add_executable(readme_${snippet} readme/${snippet}.cpp)
  target_link_libraries(readme_${snippet} PRIVATE rnnkit::rnnkit rnnkit_build_options)
  add_test(NAME readme_${snippet}_runs COMMAND readme_${snippet})
  set_tests_properties(readme_${snippet}_runs PROPERTIES LABELS unit
                       ENVIRONMENT "OMP_NUM_THREADS=1")
  add_test(NAME readme_${snippet}_shown
           COMMAND ${CMAKE_COMMAND} -DREADME=${PROJECT_SOURCE_DIR}/README.md
                   -DSOURCE=${CMAKE_CURRENT_SOURCE_DIR}/readme/${snippet}.cpp
                   -P ${PROJECT_SOURCE_DIR}/cmake/check_readme_snippet.cmake)
  set_tests_properties(readme_${snippet}_shown PROPERTIES LABELS unit)
endforeach()
