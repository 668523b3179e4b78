# Warnings (and sanitizers) for the project's own targets only: never forced on users.
function(anthropic_target_warnings target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 $<$<BOOL:${ANTHROPIC_WERROR}>:/WX>)
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
      $<$<BOOL:${ANTHROPIC_WERROR}>:-Werror>)
  endif()
  if(ANTHROPIC_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${ANTHROPIC_SANITIZE}
      -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${ANTHROPIC_SANITIZE})
  endif()
endfunction()
