# Release hardening: applied to every target when SW_HARDEN is on.
if(SW_HARDEN)
  include(CheckCCompilerFlag)
  add_compile_options(-fstack-protector-strong -fstack-clash-protection
    $<$<NOT:$<BOOL:$<TARGET_PROPERTY:POSITION_INDEPENDENT_CODE>>>:-fPIE>)
  check_c_compiler_flag(-fcf-protection=full SW_HAVE_CF_PROTECTION)
  if(SW_HAVE_CF_PROTECTION)
    add_compile_options(-fcf-protection=full)
  endif()
  # _FORTIFY_SOURCE needs optimisation; level 3 needs gcc >= 12 or clang >= 9 with glibc >= 2.34.
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    add_compile_definitions(_FORTIFY_SOURCE=3)
  endif()
  add_link_options($<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-pie>
    -Wl,-z,relro,-z,now -Wl,-z,noexecstack)
endif()
