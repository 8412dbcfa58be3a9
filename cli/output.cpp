#include "output.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace cohours::cli {

namespace {
thread_local std::ostream* t_out = nullptr;  // null: std::cout
thread_local std::ostream* t_err = nullptr;  // null: std::cerr
}  // namespace

std::ostream& out() {
  return t_out ? *t_out : std::cout;
}
std::ostream& err() {
  return t_err ? *t_err : std::cerr;
}
bool err_is_terminal() {
  return &err() == &std::cerr && ::isatty(STDERR_FILENO);
}

OutputCapture::OutputCapture() : previous_out_(t_out), previous_err_(t_err) {
  t_out = &out_buffer_;
  t_err = &err_buffer_;
}
OutputCapture::OutputCapture(std::ostream& out, std::ostream& err)
    : previous_out_(t_out), previous_err_(t_err) {
  t_out = &out;
  t_err = &err;
}
OutputCapture::~OutputCapture() {
  t_out = previous_out_;
  t_err = previous_err_;
}

int exit_code_for(Code code) {
  switch (code) {
    case Code::ok:
      return exit_ok;
    case Code::unknown_member:
    case Code::unknown_entry:
      return exit_unknown;
    case Code::malformed:
    case Code::bad_amount:
    case Code::unknown_category:
    case Code::bad_date:
      return exit_invalid;
    case Code::not_permitted:
    case Code::bad_signature:
    case Code::wrong_node:
      return exit_not_permitted;
    case Code::floor_breached:
    case Code::wrong_state:
    case Code::already_exists:
    case Code::limit_reached:
    case Code::not_vetted:
    case Code::possible_duplicate:
      return exit_refused;
    case Code::not_found:
    case Code::io_error:
    case Code::corruption:
      return exit_operational;
  }
  return exit_operational;
}

void fail(Code code, std::string message) {
  throw CliError{code, std::move(message)};
}
void usage_error(std::string message) {
  throw CliError{Code::malformed, std::move(message), exit_usage};
}
void fail(const Status& status) {
  throw CliError{status.code(), status.message()};
}

Table::Table(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : headers_(std::move(headers)), right_(std::move(right_aligned)) {
  right_.resize(headers_.size(), false);
}

void Table::add(std::vector<std::string> row) {
  row.resize(headers_.size());
  rows_.push_back(std::move(row));
}

std::string Table::render() const {
  std::vector<std::size_t> width(headers_.size());
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string pad(width[i] - row[i].size(), ' ');
      text += right_[i] ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : "");
      if (i + 1 < row.size()) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
  return out;
}

void print_json(const nlohmann::json& value) {
  out() << value.dump(2) << "\n";
}

}  // namespace cohours::cli
