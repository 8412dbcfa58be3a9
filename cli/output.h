// How the CLI talks back: errors with documented exit codes, tables for
// people, JSON for scripts (docs/cli.md).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cohours/app/format.h"
#include "cohours/result.h"

namespace cohours::cli {

// Where commands write: the current thread's output streams, std::cout and
// std::cerr unless an OutputCapture on this thread redirects them. Commands
// never name std::cout / std::cerr, so the daemon can run them for a client
// of its control socket and send back what they printed (cli/CONTROL.md).
std::ostream& out();
std::ostream& err();
// True when err() is the process's own stderr and that is a terminal: only
// then do long commands print progress lines (with '\r').
bool err_is_terminal();

// Redirects out() and err() of the current thread for its lifetime, into
// its own buffers or into the streams given; restores the previous streams
// when destroyed. Nests. Other threads are not affected.
class OutputCapture {
 public:
  OutputCapture();
  OutputCapture(std::ostream& out, std::ostream& err);
  ~OutputCapture();
  OutputCapture(const OutputCapture&) = delete;
  OutputCapture& operator=(const OutputCapture&) = delete;

  // What was written so far (empty when streams were given).
  std::string out_text() const { return out_buffer_.str(); }
  std::string err_text() const { return err_buffer_.str(); }

 private:
  std::ostringstream out_buffer_, err_buffer_;
  std::ostream* previous_out_;
  std::ostream* previous_err_;
};

// Exit codes (docs/cli.md "Exit codes"). Stable: scripts depend on them.
enum ExitCode : int {
  exit_ok = 0,
  exit_operational = 1,    // store or file error, corruption found while working
  exit_usage = 2,          // bad command line
  exit_unknown = 3,        // unknown member, alias or entry
  exit_invalid = 4,        // invalid value: amount, category, date, malformed input
  exit_not_permitted = 5,  // wrong key or role, signing for someone else
  exit_refused = 6,        // ledger rule: floor, already confirmed/voided, exists
  exit_audit_failed = 7,   // audit found the ledger altered or inconsistent
};
int exit_code_for(Code code);

// Thrown by commands; main prints it and exits with exit_code_for(code),
// or with `exit_override` when set.
struct CliError {
  Code code;
  std::string message;
  int exit_override = -1;
  bool json_printed = false;  // the command already printed its JSON report
};
// A mistake in how the command was called (exit_usage), found after parsing.
[[noreturn]] void usage_error(std::string message);
[[noreturn]] void fail(Code code, std::string message);
[[noreturn]] void fail(const Status& status);
template <typename T>
T check(Result<T> result) {
  if (!result.ok()) fail(result.status());
  return std::move(result).value();
}
inline void check(const Status& status) {
  if (!status.ok()) fail(status);
}

// Amounts as people read them (app/format.h).
using app::describe_minutes;
using app::format_minutes;
using app::format_pence;

// A plain-text table with aligned columns; numeric columns right-aligned.
class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void add(std::vector<std::string> row);
  std::string render() const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// Pretty-printed JSON and a newline on out().
void print_json(const nlohmann::json& value);

}  // namespace cohours::cli
