# The default build runs on any x86-64: its libraries hold no AVX or AVX-512 instructions outside
# ISA variants chosen at run time. (-DRNNKIT_NATIVE=ON builds are for the building machine only.)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$" AND NOT RNNKIT_NATIVE AND CMAKE_OBJDUMP)
  get_property(rnnkit_libraries GLOBAL PROPERTY RNNKIT_LIBRARIES)
  set(rnnkit_library_files)
  foreach(library IN LISTS rnnkit_libraries)
    list(APPEND rnnkit_library_files $<TARGET_FILE:${library}>)
  endforeach()
  add_test(NAME portable_instructions
           COMMAND ${CMAKE_COMMAND} -DOBJDUMP=${CMAKE_OBJDUMP} "-DLIBRARIES=${rnnkit_library_files}"
                   -P ${PROJECT_SOURCE_DIR}/cmake/check_portable_instructions.cmake)
  set_tests_properties(portable_instructions PROPERTIES LABELS unit)
endif()
