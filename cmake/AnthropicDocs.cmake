# The API reference: `cmake --build <dir> --target docs` writes HTML to <dir>/docs/html
# (index.html) with Doxygen, from the public headers only. Warnings are errors: an undocumented
# public declaration, or a doc comment Doxygen cannot read, fails the target. It needs Doxygen
# (Debian: `scripts/install-deps.sh doxygen`), not the compiled library.

option(ANTHROPIC_BUILD_DOCS "Add the 'docs' target (HTML API reference; needs Doxygen)"
  ${ANTHROPIC_IS_TOP_LEVEL})

if(ANTHROPIC_BUILD_DOCS)
  find_package(Doxygen 1.9 QUIET)
  if(DOXYGEN_FOUND)
    set(ANTHROPIC_DOCS_OUTPUT "${CMAKE_CURRENT_BINARY_DIR}/docs")
    # The public headers, version.hpp (configured above: anthropic::version) and the main page.
    set(ANTHROPIC_DOCS_INPUT
      "\"${CMAKE_CURRENT_SOURCE_DIR}/include/anthropic\" \"${ANTHROPIC_GENERATED_INCLUDE}/anthropic/version.hpp\" \"${CMAKE_CURRENT_SOURCE_DIR}/docs/mainpage.md\" \"${CMAKE_CURRENT_SOURCE_DIR}/docs/namespaces.dox\"")
    configure_file(docs/Doxyfile.in "${ANTHROPIC_DOCS_OUTPUT}/Doxyfile" @ONLY)
    file(GLOB_RECURSE _anthropic_doc_sources CONFIGURE_DEPENDS
      "${CMAKE_CURRENT_SOURCE_DIR}/include/anthropic/*.hpp")
    # The stamp is written only when Doxygen succeeds: a run that failed on a warning (and
    # still wrote HTML) runs again next time.
    add_custom_command(
      OUTPUT "${ANTHROPIC_DOCS_OUTPUT}/docs.stamp"
      COMMAND Doxygen::doxygen "${ANTHROPIC_DOCS_OUTPUT}/Doxyfile"
      COMMAND ${CMAKE_COMMAND} -E touch "${ANTHROPIC_DOCS_OUTPUT}/docs.stamp"
      DEPENDS ${_anthropic_doc_sources}
              "${ANTHROPIC_DOCS_OUTPUT}/Doxyfile"
              "${CMAKE_CURRENT_SOURCE_DIR}/docs/mainpage.md"
              "${CMAKE_CURRENT_SOURCE_DIR}/docs/namespaces.dox"
              "${ANTHROPIC_GENERATED_INCLUDE}/anthropic/version.hpp"
      WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
      COMMENT "Doxygen: the API reference (warnings are errors) in ${ANTHROPIC_DOCS_OUTPUT}/html"
      VERBATIM)
    add_custom_target(docs DEPENDS "${ANTHROPIC_DOCS_OUTPUT}/docs.stamp")
  else()
    message(STATUS "Doxygen not found: no 'docs' target (scripts/install-deps.sh doxygen)")
  endif()
endif()
