// Rejections are values: a closed code plus a human message. The same code
// drives the CLI's exit status (docs/cli.md), and later HTTP statuses and peer
// penalties. Exceptions never cross the engine's API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace cohours {

enum class Code {
  ok = 0,
  // Rejections of input (nothing changed).
  malformed,         // bytes or fields that do not decode or are out of range
  bad_signature,     // signature does not verify for the stated key
  unknown_member,    // a key or alias that is not a member here
  unknown_entry,     // an entry id that is not in the log
  not_permitted,     // the signer lacks the role, or acts on someone else's entry
  bad_amount,        // zero, negative or over the per-entry maximum
  unknown_category,  // category not allowed by policy
  bad_date,          // not a real calendar date, or out of range
  floor_breached,    // the payer would go under their balance floor
  wrong_state,       // already confirmed / voided / cancelled / reversed
  already_exists,    // e.g. member key joined twice, node initialised twice
  wrong_node,        // the entry was signed for another node's log (no replay across co-ops)
  limit_reached,     // a bound on what the node keeps for one member (e.g. receipts no claim names yet)
  not_vetted,        // the volunteer has no current vetting for this activity on that date
  possible_duplicate,  // hours like some already logged: the member says whether it is more help
  // Operational errors.
  not_found,   // a store key or record that is absent
  io_error,    // the store or a file failed
  corruption,  // stored data fails its own checks
};

// Stable lower-case name of a code, used in --json output and docs.
const char* code_name(Code code);
// The code with that name; nullopt for an unknown name. Stored refusals
// keep the name, not the number, so adding a code never changes them.
std::optional<Code> code_from_name(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status success() { return {}; }

  bool ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Code code_ = Code::ok;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : value_(std::move(status)) {}
  Result(Code code, std::string message) : value_(Status(code, std::move(message))) {}

  bool ok() const { return std::holds_alternative<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  // By value: `for (auto& x : f().value())` must not dangle into a temporary.
  T value() && { return std::get<T>(std::move(value_)); }
  const T* operator->() const { return &std::get<T>(value_); }
  T* operator->() { return &std::get<T>(value_); }
  const T& operator*() const { return value(); }
  Status status() const { return ok() ? Status() : std::get<Status>(value_); }
  Code code() const { return ok() ? Code::ok : std::get<Status>(value_).code(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace cohours
