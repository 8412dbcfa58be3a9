// Expenses: cash paid back to members, kept apart from credits.
#include <filesystem>
#include <fstream>

#include "client.h"
#include "cohours/app/expenses.h"
#include "cohours/app/receipts.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

namespace fs = std::filesystem;

// The receipt file the person named, read by this process (its working
// directory, its permissions) and sent in the claim. One byte past the cap
// is enough for the use case to refuse it; a bigger file is not read whole.
Bytes read_receipt_file(const std::string& file) {
  std::error_code ec;
  const fs::path path = std::filesystem::path(file);  // relative to where `cohours` ran
  if (!fs::is_regular_file(path, ec))
    fail(Code::malformed, "receipt file '" + file + "' does not exist or is not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(Code::io_error, "cannot read receipt file '" + file + "'");
  Bytes bytes(app::kMaxReceiptBytes + 1);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) fail(Code::io_error, "cannot read receipt file '" + file + "'");
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

struct ClaimArgs {
  std::string as, pence, miles, category, date, receipt, hours, note, currency;
};

void run_claim(const GlobalOptions& options, const ClaimArgs& args) {
  app::ClaimExpense request;
  request.as = args.as;
  request.category = args.category;
  if (args.pence.empty() == args.miles.empty()) usage_error("give either --pence or --miles");
  if (!args.miles.empty())
    request.miles = parse_whole_arg(args.miles, "--miles", "miles");
  else
    request.pence = parse_whole_arg(args.pence, "--pence", "pence (1240 for 12.40)");
  request.currency = args.currency;
  request.date_days = parse_date_arg(args.date, "--date");
  request.hours = args.hours;
  request.note = args.note;
  if (!args.receipt.empty()) {
    request.receipt = read_receipt_file(args.receipt);
    request.receipt_name = args.receipt;
  }
  Client client(options);
  app::ExpenseClaimed claimed = client.call(request);
  const app::ExpenseView& c = claimed.claim;
  if (options.json)
    return print_json({{"id", to_hex(claimed.entry.id)},
                       {"seq", claimed.entry.seq},
                       {"pence", c.pence},
                       {"currency", c.currency},
                       {"duplicate", claimed.entry.duplicate}});
  out() << c.member << " claims " << format_pence(c.pence) << " " << c.currency << " for "
        << expense_category_name(c.category)
        << (c.miles ? " (" + std::to_string(c.miles) + " miles)" : std::string()) << " on "
        << format_date(c.date_days) << ". An admin approves or rejects it.\n"
        << to_hex(claimed.entry.id) << "\n";
}

nlohmann::json claim_json(const app::ExpenseView& e) {
  return {{"id", to_hex(e.id)},
          {"member", e.member},
          {"date", format_date(e.date_days)},
          {"category", expense_category_name(e.category)},
          {"pence", e.pence},
          {"currency", e.currency},
          {"miles", e.miles},
          {"status", expense_status_name(e.status)},
          {"receipt", e.receipt.is_zero() ? "" : to_hex(e.receipt)},
          {"receipt_kept", e.receipt_kept},
          {"decided_by", e.decided_by},
          {"paid_date", e.status == ExpenseStatus::paid ? format_date(e.paid_days) : ""},
          {"reason", e.reason},
          {"payment_reference", e.payment_reference}};
}

void run_list(const GlobalOptions& options, const std::string& status, const std::string& member) {
  app::ListExpenses request{std::nullopt, member};
  for (auto s :
       {ExpenseStatus::claimed, ExpenseStatus::approved, ExpenseStatus::rejected, ExpenseStatus::paid})
    if (status == expense_status_name(s)) request.status = s;
  Client client(options);
  app::ExpenseList list = client.call(request);
  nlohmann::json rows = nlohmann::json::array();
  Table table({"CLAIM", "MEMBER", "DATE", "CATEGORY", "AMOUNT", "STATUS", "PAID", "RECEIPT"},
              {false, false, false, false, true});
  for (const auto& claim : list.claims) {
    rows.push_back(claim_json(claim));
    table.add({to_hex(claim.id).substr(0, 12), claim.member, format_date(claim.date_days),
               expense_category_name(claim.category), format_pence(claim.pence) + " " + claim.currency,
               expense_status_name(claim.status),
               claim.status == ExpenseStatus::paid ? format_date(claim.paid_days) : "-",
               claim.receipt.is_zero() ? "-" : (claim.receipt_kept ? "kept" : "erased")});
  }
  if (options.json) return print_json({{"claims", rows}});
  out() << table.render();
}

enum class Decision { approve, reject, pay };

struct DecideArgs {
  std::string id, as, text, date;
};

void run_decide(const GlobalOptions& options, Decision decision, const DecideArgs& args) {
  std::optional<std::int32_t> paid_days;
  if (decision == Decision::pay && !args.date.empty()) paid_days = parse_date_arg(args.date, "--date");
  Client client(options);
  app::ExpenseDecided decided;
  const char* verb = "";
  switch (decision) {
    case Decision::approve:
      decided = client.call(app::ApproveExpense{args.id, args.as, args.text});
      verb = "Approved";
      break;
    case Decision::reject:
      decided = client.call(app::RejectExpense{args.id, args.as, args.text});
      verb = "Rejected";
      break;
    case Decision::pay:
      decided = client.call(app::PayExpense{args.id, args.as, args.text, paid_days});
      verb = "Paid";
      break;
  }
  const app::ExpenseView& claim = decided.claim;
  if (options.json) {
    nlohmann::json json = {
        {"id", to_hex(decided.entry.id)}, {"seq", decided.entry.seq}, {"claim", to_hex(claim.id)}};
    if (decision == Decision::pay) json["paid_date"] = format_date(decided.paid_days);
    return print_json(json);
  }
  out() << verb << ": " << claim.member << "'s claim of " << format_pence(claim.pence) << " "
        << claim.currency << " for " << expense_category_name(claim.category)
        << (decision == Decision::pay ? " on " + format_date(decided.paid_days) : std::string()) << ".\n"
        << to_hex(decided.entry.id) << "\n";
}

}  // namespace

void add_expense_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* expense = add_command(app, "expense", "Claim, approve and pay expenses (cash, never credits)");
  expense->require_subcommand(1);
  auto claim = std::make_shared<ClaimArgs>();
  CLI::App* claim_cmd = add_command(*expense, "claim", "Claim back a cost you paid");
  claim_cmd->add_option("--as", claim->as, "Who paid the cost")->required();
  claim_cmd->add_option("--pence", claim->pence, "The amount in whole pence (1240 for 12.40)");
  claim_cmd->add_option("--miles", claim->miles, "Travel by distance, paid at the co-op's mileage rate");
  claim_cmd->add_option("--category", claim->category, "travel, childcare, meals, uniform or other")
      ->required();
  claim_cmd->add_option("--date", claim->date, "Day of the cost, YYYY-MM-DD")->required();
  claim_cmd->add_option("--receipt", claim->receipt,
                        "Receipt file (up to 8 MiB); a copy is kept in the erasable receipts store");
  claim_cmd->add_option("--hours", claim->hours, "The hours entry this cost belongs to");
  claim_cmd->add_option("--note-private", claim->note, "A private note, kept off the signed log");
  claim_cmd->add_option("--currency", claim->currency,
                        "Only to confirm the co-op's currency (default: the node's)");
  claim_cmd->callback([&options, claim] { run_claim(options, *claim); });

  auto status = std::make_shared<std::string>(), member = std::make_shared<std::string>();
  CLI::App* list = add_command(*expense, "list", "List claims");
  list->add_option("--status", *status, "claimed, approved, rejected or paid")
      ->check(CLI::IsMember({"claimed", "approved", "rejected", "paid"}));
  list->add_option("--member", *member, "Only this member's claims");
  list->callback([&options, status, member] { run_list(options, *status, *member); });

  auto decide = std::make_shared<DecideArgs>();
  for (auto [name, decision, help] :
       {std::tuple{"approve", Decision::approve, "Approve a claim (an admin, not the claimant)"},
        std::tuple{"reject", Decision::reject, "Reject a claim (an admin, not the claimant)"},
        std::tuple{"pay", Decision::pay, "Record that an approved claim was paid"}}) {
    CLI::App* command = add_command(*expense, name, help);
    command->add_option("id", decide->id, "The claim id (or its first 8+ digits)")->required();
    command->add_option("--as", decide->as, "The admin")->required();
    if (decision == Decision::pay) {
      command->add_option("--ref", decide->text, "Payment reference, kept off the signed log");
      command->add_option("--date", decide->date, "Day the money was paid, YYYY-MM-DD (default: today)");
    } else {
      command->add_option("--reason", decide->text, "Why, kept off the signed log");
    }
    // Copied, not captured: clang before 16 cannot capture a structured binding.
    command->callback([&options, decision = decision, decide] { run_decide(options, decision, *decide); });
  }
}

}  // namespace cohours::cli
