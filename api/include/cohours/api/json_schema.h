// A JSON Schema validator for the subset of draft 2020-12 the API's schemas
// use (schemas/api/): type, properties, required, additionalProperties
// (true or false), items, minItems, maxItems, minLength, maxLength (in
// characters), pattern, minimum, maximum, enum, const, and the annotations
// $schema, $id, $comment, title, description, examples. A schema using any
// other keyword is refused when it is loaded, so nothing is silently
// ignored. (Why not a library: docs/decisions.md "Validating API bodies".)
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "cohours/result.h"

namespace cohours::api {

class Schema {
 public:
  // malformed, naming the place, if the schema uses what is not supported.
  static Result<Schema> parse(const nlohmann::json& schema);

  // Empty when `value` matches; else the first problem: the path of the
  // field ("entries/3", "" for the whole body) and what is wrong with it.
  struct Problem {
    std::string field;
    std::string message;
  };
  std::optional<Problem> validate(const nlohmann::json& value) const;

 private:
  using Patterns = std::map<std::string, std::regex>;
  Schema(std::shared_ptr<const nlohmann::json> schema, std::shared_ptr<const Patterns> patterns)
      : schema_(std::move(schema)), patterns_(std::move(patterns)) {}
  std::shared_ptr<const nlohmann::json> schema_;
  std::shared_ptr<const Patterns> patterns_;  // compiled once, at parse
};

}  // namespace cohours::api
