#include "cohours/api/json_schema.h"

#include <doctest/doctest.h>

using namespace cohours;
using json = nlohmann::json;

namespace {

api::Schema load(const char* text) {
  auto schema = api::Schema::parse(json::parse(text));
  REQUIRE_MESSAGE(schema.ok(), schema.status().message());
  return schema.value();
}

std::string first_problem(const api::Schema& schema, const json& value) {
  auto problem = schema.validate(value);
  return problem ? problem->field + ": " + problem->message : "";
}

}  // namespace

TEST_CASE("the schema subset: each keyword checks what it says") {
  api::Schema s = load(R"({
    "type": "object", "additionalProperties": false, "required": ["name", "list"],
    "properties": {
      "name": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-zé]+$"},
      "count": {"type": "integer", "minimum": 1, "maximum": 10},
      "kind": {"enum": ["a", "b"]},
      "fixed": {"const": 7},
      "list": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": ["string", "null"]}}
    }})");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}}).empty());
  CHECK(first_problem(s, {{"name", "éé"}, {"list", {nullptr}}}).empty());  // characters, not bytes
  CHECK(first_problem(s, json::array()) == ": must be object");
  CHECK(first_problem(s, {{"list", {"x"}}}) == "name: is required");
  CHECK(first_problem(s, {{"name", "a"}, {"list", {"x"}}}) == "name: must be at least 2 characters");
  CHECK(first_problem(s, {{"name", "abcde"}, {"list", {"x"}}}) == "name: must be at most 4 characters");
  CHECK(first_problem(s, {{"name", "AB"}, {"list", {"x"}}}) == "name: must match ^[a-zé]+$");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}, {"count", 0}}) == "count: must be at least 1");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}, {"count", 11}}) == "count: must be at most 10");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}, {"count", 1.5}}) == "count: must be integer");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}, {"kind", "c"}}) ==
        R"(kind: must be one of ["a","b"])");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}, {"fixed", 8}}) == "fixed: must be 7");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", json::array()}}) == "list: must hold at least 1 items");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x", "y", "z"}}}) == "list: must hold at most 2 items");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {5}}}) == R"(list/0: must be ["string","null"])");
  CHECK(first_problem(s, {{"name", "ab"}, {"list", {"x"}}, {"extra", 1}}) ==
        "extra: is not a field of this body");
}

TEST_CASE("a schema with a keyword the validator does not know is refused, not half-checked") {
  CHECK(api::Schema::parse(json::parse(R"({"type": "string", "format": "email"})")).code() ==
        Code::malformed);
  CHECK(api::Schema::parse(json::parse(R"({"properties": {"a": {"oneOf": []}}})")).code() == Code::malformed);
  CHECK(api::Schema::parse(json::parse(R"({"pattern": "("})")).code() == Code::malformed);
  CHECK(api::Schema::parse(json::parse(R"({"additionalProperties": {"type": "string"}})")).code() ==
        Code::malformed);
}

TEST_CASE("long hex strings are checked without trouble") {
  api::Schema s = load(R"({"type": "string", "pattern": "^[0-9a-f]+$", "maxLength": 8320})");
  CHECK(first_problem(s, std::string(8320, 'a')).empty());
  CHECK_FALSE(first_problem(s, std::string(8319, 'a') + "g").empty());
}
