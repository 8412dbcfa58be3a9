// JSON for the values every call carries: keys and hashes as lower-case
// hex, std::optional as the value or null, results as {"ok", "reply"} or
// {"ok": false, "code", "message"}. Enums travel as their fixed integer
// values (nlohmann's default). Used by both ends of the control socket.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours {
// Standard base64 (RFC 4648, with padding), for bytes in JSON. decode:
// nullopt for text that is not base64.
std::string base64_encode(const Bytes& bytes);
std::optional<Bytes> base64_decode(std::string_view text);
}  // namespace cohours

namespace nlohmann {
// Bytes (a receipt file, say) travel as one base64 string, not an array of
// numbers: a third larger than the bytes instead of four times.
template <>
struct adl_serializer<cohours::Bytes> {
  static void to_json(json& j, const cohours::Bytes& bytes) { j = cohours::base64_encode(bytes); }
  static void from_json(const json& j, cohours::Bytes& bytes);
};

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value)
      j = *value;
    else
      j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null())
      value.reset();
    else
      value = j.get<T>();
  }
};
}  // namespace nlohmann

namespace cohours {

// Thrown while decoding a value that is not what the call expects; the
// server answers it as a malformed request.
struct BadValue : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <std::size_t N>
void fixed_to_json(nlohmann::json& j, const FixedBytes<N>& value) {
  j = to_hex(value);
}
template <typename T>
void fixed_from_json(const nlohmann::json& j, T& value) {
  auto parsed = j.is_string() ? fixed_from_hex<T>(j.get<std::string>()) : std::nullopt;
  if (!parsed) throw BadValue("expected " + std::to_string(2 * T::size()) + " hex digits");
  value = *parsed;
}
inline void to_json(nlohmann::json& j, const PublicKey& v) {
  fixed_to_json(j, v);
}
inline void from_json(const nlohmann::json& j, PublicKey& v) {
  fixed_from_json(j, v);
}
inline void to_json(nlohmann::json& j, const Hash32& v) {
  fixed_to_json(j, v);
}
inline void from_json(const nlohmann::json& j, Hash32& v) {
  fixed_from_json(j, v);
}

// JSON for a request or reply without fields: {}. Used where
// NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE is, in the type's namespace.
#define COHOURS_JSON_EMPTY(Type)                        \
  inline void to_json(nlohmann::json& j, const Type&) { \
    j = nlohmann::json::object();                       \
  }                                                     \
  inline void from_json(const nlohmann::json&, Type&) {}

// Whether `value` holds a number that is not an integer anywhere in it
// (1.5, 1e30). No call carries one ("no floating point anywhere near the
// ledger"), and converting one out of range to an integer is undefined
// behaviour in nlohmann's get<>, so both ends refuse such a message whole.
// Iterative: a message of 16 MiB of '[' must not exhaust the stack.
bool holds_fraction(const nlohmann::json& value);

// The code of a stable name (code_name); nullopt for an unknown one.
std::optional<Code> code_from_name(const std::string& name);

namespace control {

template <typename Reply>
nlohmann::json result_to_json(const Result<Reply>& result) {
  if (!result.ok())
    return {{"ok", false}, {"code", code_name(result.code())}, {"message", result.status().message()}};
  return {{"ok", true}, {"reply", result.value()}};
}

template <typename Reply>
Result<Reply> result_from_json(const nlohmann::json& j) {
  if (holds_fraction(j))
    return Result<Reply>(Code::io_error, "the daemon's answer does not decode: it holds a number that is not an integer");
  try {
    if (j.at("ok").get<bool>()) return j.at("reply").get<Reply>();
    auto code = code_from_name(j.at("code").get<std::string>());
    return Result<Reply>(code ? *code : Code::io_error, j.at("message").get<std::string>());
  } catch (const std::exception& e) {
    return Result<Reply>(Code::io_error, std::string("the daemon's answer does not decode: ") + e.what());
  }
}

}  // namespace control
}  // namespace cohours
