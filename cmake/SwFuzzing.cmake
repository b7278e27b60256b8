# SW_FUZZ=ON builds the libFuzzer harnesses; that needs clang.
if(SW_FUZZ AND NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SW_FUZZ=ON needs clang (configure with CC=clang)")
endif()
# Coverage instrumentation for everything the harnesses link (the libraries
# too), so libFuzzer is guided by the code under test, not only the harness.
if(SW_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
