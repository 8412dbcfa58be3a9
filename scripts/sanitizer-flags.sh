# The compile flags of the sanitizer builds (sourced by sanitize.sh and
# fuzz.sh, which share build-asan, so they must agree). Unoptimised with
# line tables (reports still name the file and line): clang compiled the
# largest files at -O0 in a third of their time at -O1, which outweighs the
# slower runs of the instrumented code in CI (docs/testing.md "Build time").
# NDEBUG as in the normal build.
sanitizer_flags="-O0 -gline-tables-only -DNDEBUG"
