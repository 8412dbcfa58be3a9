#include "cohours/api/json_schema.h"

#include <regex>
#include <set>

#include "cohours/text.h"

namespace cohours::api {

namespace {

using json = nlohmann::json;
using Problem = Schema::Problem;

const std::set<std::string> kKeywords = {"type",      "properties", "required",    "additionalProperties",
                                         "items",     "minItems",   "maxItems",    "minLength",
                                         "maxLength", "pattern",    "minimum",     "maximum",
                                         "enum",      "const",      "$schema",     "$id",
                                         "$comment",  "title",      "description", "examples"};

std::string join(const std::string& path, const std::string& part) {
  return path.empty() ? part : path + "/" + part;
}

// Checks that every keyword is one we implement, with a value of the right
// kind, recursively.
Status check_schema(const json& s, const std::string& where, std::map<std::string, std::regex>& patterns) {
  if (!s.is_object()) return Status(Code::malformed, "schema at '" + where + "' is not an object");
  for (const auto& [keyword, value] : s.items()) {
    if (!kKeywords.count(keyword))
      return Status(Code::malformed,
                    "schema at '" + where + "' uses '" + keyword + "', which is not supported");
    if (keyword == "properties") {
      if (!value.is_object())
        return Status(Code::malformed, "properties at '" + where + "' is not an object");
      for (const auto& [name, sub] : value.items())
        if (Status st = check_schema(sub, join(where, name), patterns); !st.ok()) return st;
    } else if (keyword == "items") {
      if (Status st = check_schema(value, join(where, "items"), patterns); !st.ok()) return st;
    } else if (keyword == "additionalProperties" && !value.is_boolean()) {
      return Status(Code::malformed, "additionalProperties at '" + where + "' must be true or false");
    } else if (keyword == "pattern") {
      try {
        const std::string text = value.get<std::string>();
        patterns.emplace(text, std::regex(text, std::regex::ECMAScript));
      } catch (const std::exception&) {
        return Status(Code::malformed, "pattern at '" + where + "' is not a regular expression");
      }
    }
  }
  return Status();
}

bool is_type(const json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "null") return v.is_null();
  return false;
}

// Characters, not bytes: a name in Welsh or Polish is as long as it looks.
// Characters as people count them; JSON text is UTF-8 already (the parser
// refuses anything else), so the fallback is never reached.
std::size_t utf8_length(const std::string& text) {
  return utf8_characters(text).value_or(text.size());
}

using Patterns = std::map<std::string, std::regex>;

std::optional<Problem> check(const json& s, const json& v, const std::string& path,
                             const Patterns& patterns) {
  auto problem = [&](std::string message) {
    return std::optional<Problem>(Problem{path, std::move(message)});
  };
  if (s.contains("type")) {
    const json& t = s["type"];
    bool ok = false;
    if (t.is_string()) ok = is_type(v, t.get<std::string>());
    if (t.is_array())
      for (const auto& one : t) ok = ok || is_type(v, one.get<std::string>());
    if (!ok) return problem("must be " + (t.is_string() ? t.get<std::string>() : t.dump()));
  }
  if (s.contains("const") && v != s["const"]) return problem("must be " + s["const"].dump());
  if (s.contains("enum")) {
    bool found = false;
    for (const auto& option : s["enum"]) found = found || v == option;
    if (!found) return problem("must be one of " + s["enum"].dump());
  }
  if (v.is_string()) {
    const std::string& text = v.get_ref<const std::string&>();
    if (s.contains("minLength") && utf8_length(text) < s["minLength"].get<std::size_t>())
      return problem("must be at least " + s["minLength"].dump() + " characters");
    if (s.contains("maxLength") && utf8_length(text) > s["maxLength"].get<std::size_t>())
      return problem("must be at most " + s["maxLength"].dump() + " characters");
    if (s.contains("pattern") && !std::regex_search(text, patterns.at(s["pattern"].get<std::string>())))
      return problem("must match " + s["pattern"].get<std::string>());
  }
  if (v.is_number()) {
    if (s.contains("minimum") && v < s["minimum"]) return problem("must be at least " + s["minimum"].dump());
    if (s.contains("maximum") && v > s["maximum"]) return problem("must be at most " + s["maximum"].dump());
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>())
      return problem("must hold at least " + s["minItems"].dump() + " items");
    if (s.contains("maxItems") && v.size() > s["maxItems"].get<std::size_t>())
      return problem("must hold at most " + s["maxItems"].dump() + " items");
    if (s.contains("items"))
      for (std::size_t i = 0; i < v.size(); ++i)
        if (auto p = check(s["items"], v[i], join(path, std::to_string(i)), patterns)) return p;
  }
  if (v.is_object()) {
    if (s.contains("required"))
      for (const auto& name : s["required"])
        if (!v.contains(name.get<std::string>()))
          return std::optional<Problem>(Problem{join(path, name.get<std::string>()), "is required"});
    const json* properties = s.contains("properties") ? &s["properties"] : nullptr;
    for (const auto& [name, value] : v.items()) {
      if (properties && properties->contains(name)) {
        if (auto p = check((*properties)[name], value, join(path, name), patterns)) return p;
      } else if (s.contains("additionalProperties") && !s["additionalProperties"].get<bool>()) {
        return std::optional<Problem>(Problem{join(path, name), "is not a field of this body"});
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Result<Schema> Schema::parse(const json& schema) {
  auto patterns = std::make_shared<Patterns>();
  if (Status s = check_schema(schema, "", *patterns); !s.ok()) return s;
  return Schema(std::make_shared<const json>(schema), std::move(patterns));
}

std::optional<Problem> Schema::validate(const json& value) const {
  return check(*schema_, value, "", *patterns_);
}

}  // namespace cohours::api
