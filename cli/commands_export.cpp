// export: the ledger as CSV or JSON tables with the signed tree head they
// were taken under, written here, in the person's directory, from pages the
// node sends (app/export.h); and `audit verify --export`, which reads such a
// directory and has app check it without any node.

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "client.h"
#include "cohours/app/clock_source.h"
#include "cohours/app/export.h"
#include "cohours/dates.h"
#include "commands.h"
#include "cohours/app/csv.h"
#include "output.h"
#include "output_paths.h"

namespace cohours::cli {

namespace {

namespace fs = std::filesystem;
using app::csv_field;
using app::ExportRow;
using app::parse_csv;
using app::ExportTable;

std::string file_name(const ExportTable& table, bool json) {
  return app::export_file_name(table, json ? "json" : "csv");
}

// --- files ------------------------------------------------------------------

// Streams one table to DIR/NAME.csv or .json, page by page, so memory does
// not grow with the log.
class TableWriter {
 public:
  TableWriter(const fs::path& dir, const ExportTable& table, bool json)
      : table_(table), json_(json), path_(dir / file_name(table, json)), out_(path_, std::ios::binary) {
    if (!out_) fail(Code::io_error, "cannot write " + path_.string());
    if (json_) {
      out_ << "[";
    } else {
      ExportRow header;
      for (const auto& column : table_.columns) header.push_back(column.name);
      write_csv(header);
    }
  }
  void rows(const std::vector<ExportRow>& rows) {
    for (const auto& row : rows) this->row(row);
  }
  void row(const ExportRow& values) {
    ++rows_;
    if (!json_) return write_csv(values);
    nlohmann::ordered_json object;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (table_.columns[i].number)
        object[table_.columns[i].name] = std::stoll(values[i]);
      else
        object[table_.columns[i].name] = values[i];
    }
    out_ << (rows_ == 1 ? "\n" : ",\n") << object.dump();
  }
  std::uint64_t finish() {
    if (json_) out_ << (rows_ ? "\n]\n" : "]\n");
    out_.close();
    if (!out_) fail(Code::io_error, "writing " + path_.string() + " failed");
    return rows_;
  }

 private:
  void write_csv(const ExportRow& values) {
    for (std::size_t i = 0; i < values.size(); ++i) out_ << (i ? "," : "") << csv_field(values[i]);
    out_ << "\r\n";
  }
  const ExportTable& table_;
  bool json_;
  fs::path path_;
  std::ofstream out_;
  std::uint64_t rows_ = 0;
};

// What is wrong with the files of an export: the check fails with it.
Status mismatch(std::string message) {
  return Status(Code::corruption, std::move(message));
}

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return mismatch(path.filename().string() + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// An export directory as app's check reads it: the tables in the export's
// format, each as rows of text in its columns' order.
class ExportFiles : public app::ExportSource {
 public:
  ExportFiles(fs::path dir, bool json) : dir_(std::move(dir)), json_(json) {}
  std::string format() const override { return json_ ? "json" : "csv"; }
  Result<std::vector<ExportRow>> rows(const ExportTable& table) override {
    const std::string file = file_name(table, json_);
    auto text = read_file(dir_ / file);
    if (!text.ok()) return text.status();
    return json_ ? json_rows(table, file, text.value()) : csv_rows(table, file, text.value());
  }

 private:
  Result<std::vector<ExportRow>> csv_rows(const ExportTable& table, const std::string& file,
                                          const std::string& text) const {
    auto parsed = parse_csv(text, file);
    if (!parsed.ok()) return parsed.status();
    std::vector<ExportRow> rows = std::move(parsed).value();
    ExportRow header;
    for (const auto& column : table.columns) header.push_back(column.name);
    if (rows.empty() || rows.front() != header)
      return mismatch(file + ": the header row is not the expected columns");
    rows.erase(rows.begin());
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i].size() != table.columns.size())
        return mismatch(file + ": row " + std::to_string(i + 1) + " has " + std::to_string(rows[i].size()) +
                        " fields, not " + std::to_string(table.columns.size()));
    return rows;
  }
  Result<std::vector<ExportRow>> json_rows(const ExportTable& table, const std::string& file,
                                           const std::string& text) const {
    nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
    if (!array.is_array()) return mismatch(file + " is not a JSON array");
    std::vector<ExportRow> rows;
    for (std::size_t i = 0; i < array.size(); ++i) {
      const auto& object = array[i];
      ExportRow row;
      for (const auto& column : table.columns) {
        if (!object.is_object() || !object.contains(column.name))
          return mismatch(file + ": row " + std::to_string(i + 1) + " has no field '" + column.name + "'");
        const auto& value = object[column.name];
        row.push_back(value.is_string() ? value.get<std::string>() : value.dump());
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  fs::path dir_;
  bool json_;
};

// head.json's fields, for the check; the integers as their decimal text.
app::ExportHeadFields head_fields(const nlohmann::json& head) {
  auto text = [&](const char* name) -> std::optional<std::string> {
    if (!head.contains(name) || !head[name].is_string()) return std::nullopt;
    return head[name].get<std::string>();
  };
  auto number = [&](const char* name) -> std::optional<std::string> {
    if (!head.contains(name) || !head[name].is_number_integer()) return std::nullopt;
    return head[name].dump();
  };
  return {text("format"),   text("node_key"),     text("root"),   text("signed_head"),
          text("currency"), text("state_digest"), number("size"), number("time_ms")};
}

// --- export -----------------------------------------------------------------

void run_export(const GlobalOptions& options, const std::string& format, const std::string& dir_text) {
  const bool json = format == "json";
  const fs::path dir = std::filesystem::path(dir_text);  // relative to where `cohours` ran
  refuse_inside_data_dir(options, dir);
  std::error_code error;
  // A fresh directory: an export never mixes with older files.
  if (fs::exists(dir, error) && (!fs::is_directory(dir, error) || !fs::is_empty(dir, error)))
    fail(Code::already_exists, dir_text + " exists and is not empty; export into a new or empty directory");
  Client client(options);
  // The head first: the records are read up to its size, page by page.
  // Accounts, postings and claims come from the live ledger; under a
  // daemon that appends meanwhile they may be newer (cli/CONTROL.md "Known
  // limits").
  const app::ExportHead head = client.call(app::StartExport{});
  fs::create_directories(dir, error);
  if (error) fail(Code::io_error, "cannot create " + dir_text + ": " + error.message());
  const app::Progress progress = terminal_progress();

  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, std::uint64_t> counts;
  auto finish = [&](TableWriter& writer, const ExportTable& table) {
    counts[table.name] = writer.finish();
    files.push_back(file_name(table, json));
  };
  {
    TableWriter writer(dir, app::records_table(), json);
    for (std::uint64_t from = 1; head.size > 0 && from != 0;) {
      app::ExportPage page = client.call(app::ExportRecords{from, head.size});
      writer.rows(page.rows);
      from = page.next;
      if (progress && head.size >= 4096) progress("exported", from ? from - 1 : head.size, head.size);
    }
    finish(writer, app::records_table());
  }
  const app::ExportAccountList accounts = client.call(app::ExportAccounts{});
  {
    TableWriter writer(dir, app::accounts_table(), json);
    writer.rows(accounts.rows);
    finish(writer, app::accounts_table());
  }
  {
    TableWriter writer(dir, app::postings_table(), json);
    for (const AccountId& account : accounts.accounts)
      for (std::uint64_t from = 0;;) {
        app::ExportPage page = client.call(app::ExportPostings{account, from});
        writer.rows(page.rows);
        if (page.next == 0) break;
        from = page.next;
      }
    finish(writer, app::postings_table());
  }
  {
    TableWriter writer(dir, app::expenses_table(), json);
    for (std::uint64_t from = 0;;) {
      app::ExportPage page = client.call(app::ExportExpenses{from});
      writer.rows(page.rows);
      if (page.next == 0) break;
      from = page.next;
    }
    finish(writer, app::expenses_table());
  }

  nlohmann::ordered_json head_json = {{"format", app::kExportFormat},
                                      {"node_name", head.node_name},
                                      {"node_key", to_hex(head.node_key)},
                                      {"currency", head.currency},
                                      {"size", head.size},
                                      {"root", to_hex(head.root)},
                                      {"time_ms", head.time_ms},
                                      {"time", format_time_ms(head.time_ms)},
                                      {"signed_head", head.signed_head_hex},
                                      {"state_digest", to_hex(head.state_digest)},
                                      {"exported_at", format_time_ms(head.exported_ms)}};
  {
    std::ofstream out(dir / "head.json", std::ios::binary);
    out << head_json.dump(2) << "\n";
    out.close();
    if (!out) fail(Code::io_error, "writing " + (dir / "head.json").string() + " failed");
  }
  files.push_back("head.json");

  if (options.json)
    return print_json({{"dir", dir_text},
                       {"format", format},
                       {"files", files},
                       {"records", counts["records"]},
                       {"accounts", counts["accounts"]},
                       {"postings", counts["postings"]},
                       {"expense_claims", counts["expenses"]},
                       {"head_size", head.size},
                       {"root", to_hex(head.root)},
                       {"state_digest", to_hex(head.state_digest)}});
  out() << "exported to " << dir_text << " (" << format << "): ";
  for (std::size_t i = 0; i < files.size(); ++i) out() << (i ? ", " : "") << files[i].get<std::string>();
  out() << "\n"
        << "records                " << counts["records"] << "\n"
        << "accounts               " << counts["accounts"] << "\n"
        << "postings               " << counts["postings"] << "\n"
        << "expense claims         " << counts["expenses"] << "\n"
        << "signed tree head       size " << head.size << ", root " << to_hex(head.root) << "\n"
        << "state digest           " << to_hex(head.state_digest) << "\n"
        << "check it with `cohours audit verify --export " << dir_text << "`\n";
}

// The check of the files in `dir`; a failure to read or parse them is a
// failed report, as a mismatch found by app is.
app::ExportVerification verify_dir(const fs::path& dir, const std::optional<PublicKey>& node_key) {
  app::ExportVerification failed;
  const bool csv = fs::exists(dir / "records.csv"), json = fs::exists(dir / "records.json");
  if (csv == json) {
    failed.failure = csv ? "both records.csv and records.json are present" : "no records.csv or records.json";
    return failed;
  }
  auto text = read_file(dir / "head.json");
  nlohmann::json head = text.ok() ? nlohmann::json::parse(text.value(), nullptr, false) : nlohmann::json();
  if (!head.is_object()) {
    failed.failure = text.ok() ? "head.json is not a JSON object" : text.status().message();
    return failed;
  }
  ExportFiles files(dir, json);
  return check(app::verify_export(head_fields(head), files, node_key, *check(app::process_clock())));
}

}  // namespace

void run_verify_export(const GlobalOptions& options, const std::string& dir,
                       const std::string& node_key_hex) {
  const fs::path path = std::filesystem::path(dir);  // relative to where `cohours` ran
  if (!fs::is_directory(path) || !fs::exists(path / "head.json"))
    fail(Code::not_found, "no export in " + dir + " (head.json is missing); make one with `cohours export`");
  // The auditor's own copy of the node key, if they have one.
  std::optional<PublicKey> node_key;
  if (!node_key_hex.empty()) {
    node_key = fixed_from_hex<PublicKey>(node_key_hex);
    if (!node_key) fail(Code::malformed, "--node-key takes the node's public key as 64 hex digits");
  }
  const app::ExportVerification report = verify_dir(path, node_key);
  // The format is the one whose records file is there, if only one is.
  const bool csv = fs::exists(path / "records.csv"), json_files = fs::exists(path / "records.json");
  const std::string format = csv == json_files ? "" : json_files ? "json" : "csv";
  nlohmann::json json = {{"passed", report.passed},
                         {"format", format},
                         {"records", report.records},
                         {"accounts_compared", report.accounts},
                         {"postings_compared", report.postings},
                         {"expense_claims_compared", report.expenses},
                         {"node_key", report.node_key},
                         {"node_key_expected", report.node_key_given},
                         {"root", report.root},
                         {"state_digest", report.state_digest}};
  if (!report.passed) json["failure"] = report.failure;
  if (options.json) {
    print_json(json);
  } else {
    out() << "records                " << report.records
          << " verified (encoding, hash links, signatures, signed head)\n"
          << "accounts               " << report.accounts << " recomputed from the records and compared\n"
          << "postings               " << report.postings << " compared\n"
          << "expense claims         " << report.expenses << " compared\n";
    if (report.passed)
      out() << "Merkle root            " << report.root << "\n"
            << "state digest           " << report.state_digest << "\n"
            << "node key               " << report.node_key
            << (report.node_key_given
                    ? " (as expected)\n"
                    : " (trusted from the export: compare it with the node's published key, "
                      "or pass --node-key)\n")
            << "export verified: the tables follow from the signed log\n";
  }
  if (!report.passed)
    throw CliError{Code::corruption, "export verify FAILED: " + report.failure, exit_audit_failed,
                   options.json};
}

void add_export_commands(CLI::App& app, GlobalOptions& options) {
  auto format = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  CLI::App* command = add_command(
      app, "export", "Write every record, account, posting and expense claim with the signed tree head");
  command->add_option("--format", *format, "csv or json")->required()->check(CLI::IsMember({"csv", "json"}));
  command->add_option("dir", *dir, "A new or empty directory to write into")->required();
  command->callback([&options, format, dir] { run_export(options, *format, *dir); });
}

}  // namespace cohours::cli
