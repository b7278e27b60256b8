# llhttp: the system library when there is one (newer distributions ship libllhttp),
# otherwise a static library compiled from the distribution's sources (Debian 12:
# package node-llhttp, /usr/share/llhttp/*.c and /usr/share/include/llhttp/llhttp.h).
# Defines the imported target llhttp::llhttp.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(SW_LLHTTP QUIET IMPORTED_TARGET libllhttp)
endif()
if(SW_LLHTTP_FOUND)
  # A system library is used as built; http_req.c checks the head's line
  # endings itself, and tests/unit/proxy/test_http_req.c shows whether the
  # library checks chunk framing strictly.
  add_library(llhttp::llhttp ALIAS PkgConfig::SW_LLHTTP)
  set(Llhttp_FOUND TRUE)
  return()
endif()
find_package(llhttp QUIET CONFIG)
if(TARGET llhttp::llhttp_static OR TARGET llhttp::llhttp_shared)
  if(NOT TARGET llhttp::llhttp)
    if(TARGET llhttp::llhttp_static)
      add_library(llhttp::llhttp ALIAS llhttp::llhttp_static)
    else()
      add_library(llhttp::llhttp ALIAS llhttp::llhttp_shared)
    endif()
  endif()
  set(Llhttp_FOUND TRUE)
  return()
endif()

set(LLHTTP_SOURCE_DIR "/usr/share/llhttp" CACHE PATH "llhttp C sources (Debian: node-llhttp)")
set(LLHTTP_INCLUDE_DIR "/usr/share/include/llhttp" CACHE PATH "llhttp.h (Debian: node-llhttp)")
if(NOT EXISTS "${LLHTTP_SOURCE_DIR}/llhttp.c" OR NOT EXISTS "${LLHTTP_INCLUDE_DIR}/llhttp.h")
  message(FATAL_ERROR "llhttp not found: install a system libllhttp, or on Debian/Ubuntu "
    "'apt-get install node-llhttp' (sources in /usr/share/llhttp)")
endif()
add_library(sw_llhttp STATIC
  "${LLHTTP_SOURCE_DIR}/api.c" "${LLHTTP_SOURCE_DIR}/http.c" "${LLHTTP_SOURCE_DIR}/llhttp.c")
target_include_directories(sw_llhttp SYSTEM PUBLIC "${LLHTTP_INCLUDE_DIR}")
# Generated parser code: its own warnings are not ours to fix.
target_compile_options(sw_llhttp PRIVATE -w)
# Strict mode checks what the default build skips, e.g. the CRLF after chunk
# data: without it "5\r\nhelloXX0\r\n\r\n" parses as a clean body.
target_compile_definitions(sw_llhttp PRIVATE LLHTTP_STRICT_MODE=1)
set_target_properties(sw_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON)
add_library(llhttp::llhttp ALIAS sw_llhttp)
set(Llhttp_FOUND TRUE)
