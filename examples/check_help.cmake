# Runs PROGRAM --help in DIR, emptied first: it must exit 0 with its usage, without training
# (no progress or results printed) and without writing a file.
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${PROGRAM} --help
                WORKING_DIRECTORY ${DIR}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE output
                ERROR_VARIABLE errors
                TIMEOUT 120)
if(NOT status STREQUAL "0")
  message(FATAL_ERROR "${PROGRAM} --help exited with ${status}:\n${output}${errors}")
endif()
if(NOT output MATCHES "Usage: ")
  message(FATAL_ERROR "${PROGRAM} --help printed no usage:\n${output}")
endif()
if(output MATCHES "Epoch [0-9]|train mse|test mse|loss: |ms/step|GFLOP/s")
  message(FATAL_ERROR "${PROGRAM} --help trained or timed something:\n${output}")
endif()
file(GLOB written LIST_DIRECTORIES true ${DIR}/* ${DIR}/.*)
if(written)
  message(FATAL_ERROR "${PROGRAM} --help wrote ${written}")
endif()
