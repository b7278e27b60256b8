# Warnings are set per target, never through global CMAKE_C_FLAGS.
function(sw_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wformat=2 -Wshadow -Wpointer-arith -Wcast-qual
    -Wstrict-prototypes -Wmissing-prototypes -Wmissing-declarations
    -Wwrite-strings -Wvla -Wundef -Wold-style-definition
    -Wimplicit-fallthrough -Wconversion -Wno-sign-conversion
    -Werror=implicit-function-declaration -Werror=format-security
    $<$<C_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op>
    $<$<C_COMPILER_ID:Clang>:-Wconditional-uninitialized -Wshorten-64-to-32 -Wcomma>
    $<$<BOOL:${SW_WERROR}>:-Werror>)
endfunction()
