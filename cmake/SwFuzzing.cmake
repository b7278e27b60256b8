# SW_FUZZ=ON builds the libFuzzer harnesses; that needs clang.
if(SW_FUZZ AND NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SW_FUZZ=ON needs clang (configure with CC=clang)")
endif()
