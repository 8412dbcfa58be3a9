# The compile flags of the sanitizer builds (sourced by sanitize.sh and
# fuzz.sh, which share build-asan, so they must agree): -O1 and line tables
# only (reports still name the file and line); NDEBUG as in the normal
# build. The product's code is not built at -O0, though clang compiled the
# largest files at -O0 in a third of the time: the instrumented daemons then
# ran too slowly for the hostile client's load to reach its limits, the ASan
# suite took twice as long, and std::regex's recursion over a long string
# overflowed the stack. The test programs are (tests/CMakeLists.txt): they
# only drive it (docs/testing.md "Build time").
sanitizer_flags="-O1 -gline-tables-only -DNDEBUG"
