# Writes a .cpp holding every schemas/api/*.schema.json as a string, so
# cohoursd validates and serves the very schemas in the repository without
# reading files at run time. Run by api/CMakeLists.txt at build time.
#   cmake -DSCHEMA_DIR=... -DOUT=... -P embed_schemas.cmake
file(GLOB schemas "${SCHEMA_DIR}/*.schema.json")
list(SORT schemas)
set(body "// Generated from schemas/api by api/embed_schemas.cmake: do not edit.\n")
string(APPEND body "#include <string_view>\n#include <utility>\n\nnamespace cohours::api {\n\n")
string(APPEND body "extern const std::pair<std::string_view, std::string_view> kEmbeddedSchemas[];\n")
string(APPEND body "extern const std::size_t kEmbeddedSchemaCount;\n\n")
string(APPEND body "const std::pair<std::string_view, std::string_view> kEmbeddedSchemas[] = {\n")
set(count 0)
foreach(path IN LISTS schemas)
  get_filename_component(file "${path}" NAME)
  string(REPLACE ".schema.json" "" name "${file}")
  file(READ "${path}" text)
  string(APPEND body "    {\"${name}\", R\"cohours_schema(${text})cohours_schema\"},\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "};\nconst std::size_t kEmbeddedSchemaCount = ${count};\n\n}  // namespace cohours::api\n")
file(WRITE "${OUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
