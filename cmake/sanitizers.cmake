# Sanitizer and fuzzing builds (docs/testing.md "Sanitizers", "Fuzzing").
#   -DCOHOURS_SANITIZE=address,undefined   the whole suite under ASan+UBSan
#   -DCOHOURS_SANITIZE=thread              the concurrency tests under TSan
#   -DCOHOURS_FUZZ=ON                      libFuzzer targets (tests/fuzz); clang only
# The flags go on every target of the project, so the libraries the tests and
# the fuzz targets link are instrumented; RocksDB, libsodium and the C++
# runtime are Debian's and are not (tests/sanitizers/*.supp).
set(COHOURS_SANITIZE "" CACHE STRING "sanitizers for every target: address,undefined or thread")
option(COHOURS_FUZZ "build the libFuzzer targets in tests/fuzz (clang)" OFF)

if(COHOURS_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "COHOURS_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
endif()
if(COHOURS_FUZZ AND COHOURS_SANITIZE STREQUAL "")
  # A fuzz target without ASan and UBSan finds only crashes, not bad reads.
  set(COHOURS_SANITIZE "address,undefined")
endif()

if(NOT COHOURS_SANITIZE STREQUAL "")
  if(COHOURS_SANITIZE MATCHES "thread" AND COHOURS_SANITIZE MATCHES "address")
    message(FATAL_ERROR "TSan and ASan cannot share a build")
  endif()
  # No recovery: the first report stops the process, so a test that expects
  # a failing exit cannot hide one (the scripts also read the report files).
  add_compile_options(-fsanitize=${COHOURS_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${COHOURS_SANITIZE})
  # Tests that replace operator new (the sanitizer runtimes define it) skip it.
  add_compile_definitions(COHOURS_SANITIZED=1)
  if(COHOURS_SANITIZE MATCHES "undefined")
    # clang 14's -fsanitize=function puts data before each function, which
    # its coroutine splitting cannot assemble ("Cannot represent a
    # difference across sections" in net/, Asio's co_await); it checks only
    # calls through mistyped function pointers.
    add_compile_options(-fno-sanitize=function)
  endif()
endif()
if(COHOURS_FUZZ)
  # Coverage for libFuzzer in every library; only the targets link libFuzzer
  # itself (-fsanitize=fuzzer in tests/fuzz), the test programs keep their main.
  add_compile_options(-fsanitize=fuzzer-no-link)
  add_link_options(-fsanitize=fuzzer-no-link)
endif()
