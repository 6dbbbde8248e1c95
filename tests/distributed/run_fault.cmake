# Runs `MPIEXEC -n 2 PROGRAM MODE` (distributed_fault.cpp) and fails unless the job ended by
# itself within TIMEOUT seconds, with a non-zero status, without rank 0 finishing its training,
# and with output matching EXPECT.
#   cmake -DMPIEXEC=... -DPROGRAM=... -DMODE=exit|hang|throw -DEXPECT=<regex> -DTIMEOUT=60 -P run_fault.cmake
execute_process(COMMAND ${MPIEXEC} -n 2 ${PROGRAM} ${MODE}
                RESULT_VARIABLE status
                OUTPUT_VARIABLE output
                ERROR_VARIABLE output
                TIMEOUT ${TIMEOUT})
message("${output}")
if(status MATCHES "timeout")
  message(FATAL_ERROR "the job was still running after ${TIMEOUT} s: a rank waits forever")
endif()
if(status EQUAL 0)
  message(FATAL_ERROR "the job ended with status 0 although rank 1 failed")
endif()
if(output MATCHES "rank 0 finished training")
  message(FATAL_ERROR "rank 0 finished its training although rank 1 failed")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output does not match \"${EXPECT}\"")
endif()
message("job ended with status ${status}, as expected")
