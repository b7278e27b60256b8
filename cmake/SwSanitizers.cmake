# SW_SANITIZE=address,undefined: every target, no recovery, so a report fails the test.
if(SW_SANITIZE)
  add_compile_options(-fsanitize=${SW_SANITIZE} -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${SW_SANITIZE})
endif()
