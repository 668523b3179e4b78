# ctest check: the README's first program is exactly examples/create_and_cancel.cpp.
#   cmake -DREADME=... -DEXAMPLE=... -P CheckReadmeExample.cmake
file(READ "${README}" readme)
file(READ "${EXAMPLE}" example)
string(FIND "${readme}" "```cpp\n${example}```" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md's first program differs from ${EXAMPLE}: copy the file into it")
endif()
