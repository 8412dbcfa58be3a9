#include "cohours/result.h"

namespace cohours {

const char* code_name(Code code) {
  switch (code) {
    case Code::ok:
      return "ok";
    case Code::malformed:
      return "malformed";
    case Code::bad_signature:
      return "bad_signature";
    case Code::unknown_member:
      return "unknown_member";
    case Code::unknown_entry:
      return "unknown_entry";
    case Code::not_permitted:
      return "not_permitted";
    case Code::bad_amount:
      return "bad_amount";
    case Code::unknown_category:
      return "unknown_category";
    case Code::bad_date:
      return "bad_date";
    case Code::floor_breached:
      return "floor_breached";
    case Code::wrong_state:
      return "wrong_state";
    case Code::already_exists:
      return "already_exists";
    case Code::wrong_node:
      return "wrong_node";
    case Code::limit_reached:
      return "limit_reached";
    case Code::not_vetted:
      return "not_vetted";
    case Code::possible_duplicate:
      return "possible_duplicate";
    case Code::not_found:
      return "not_found";
    case Code::io_error:
      return "io_error";
    case Code::corruption:
      return "corruption";
  }
  return "unknown";
}

std::optional<Code> code_from_name(std::string_view name) {
  constexpr Code kAll[] = {Code::ok,
                           Code::malformed,
                           Code::bad_signature,
                           Code::unknown_member,
                           Code::unknown_entry,
                           Code::not_permitted,
                           Code::bad_amount,
                           Code::unknown_category,
                           Code::bad_date,
                           Code::floor_breached,
                           Code::wrong_state,
                           Code::already_exists,
                           Code::wrong_node,
                           Code::limit_reached,
                           Code::not_vetted,
                           Code::possible_duplicate,
                           Code::not_found,
                           Code::io_error,
                           Code::corruption};
  for (Code code : kAll)
    if (name == code_name(code)) return code;
  return std::nullopt;
}

}  // namespace cohours
