// Expenses: cash paid back to members, kept apart from credits.
#include <filesystem>
#include <fstream>

#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "commands.h"
#include "host.h"
#include "output.h"

namespace cohours::cli {

namespace {

namespace fs = std::filesystem;

// Keeps a copy of the receipt in the node's erasable receipts store, named
// by its BLAKE2b digest (the entry carries only the digest).
struct KeptReceipt {
  Hash32 digest;
  fs::path path;
  bool created = false;
};

KeptReceipt keep_receipt(Session& session, const std::string& file) {
  std::error_code ec;
  const fs::path path = resolve_user_path(file);  // relative to where `cohours` ran
  if (!fs::is_regular_file(path, ec))
    fail(Code::malformed, "receipt file '" + file + "' does not exist or is not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(Code::io_error, "cannot read receipt file '" + file + "'");
  Blake2bStream digest;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() > 20 * 1024 * 1024) fail(Code::malformed, "receipt file '" + file + "' is over 20 MB");
  digest.update(data);
  KeptReceipt kept{digest.finish(), {}, false};
  fs::create_directories(session.dir() / "receipts", ec);
  fs::permissions(session.dir() / "receipts", fs::perms::owner_all, fs::perm_options::replace, ec);
  kept.path = session.dir() / "receipts" / to_hex(kept.digest);
  if (!fs::exists(kept.path)) {
    std::ofstream out(kept.path, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out) fail(Code::io_error, "cannot store receipt in " + kept.path.string());
    fs::permissions(kept.path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
    kept.created = true;
  }
  return kept;
}

struct ClaimArgs {
  std::string as, pence, miles, category, date, receipt, hours, note, currency;
};

void run_claim(const GlobalOptions& options, const ClaimArgs& args) {
  Session session(options);
  PublicKey author = session.member_key(args.as);
  ExpenseClaim body;
  auto category = parse_expense_category(args.category);
  if (!category)
    fail(Code::unknown_category,
         "expense category '" + args.category + "' is not one of travel, childcare, meals, uniform, other");
  body.category = *category;
  if (args.pence.empty() == args.miles.empty()) usage_error("give either --pence or --miles");
  if (!args.miles.empty()) {
    std::int64_t miles = parse_whole_arg(args.miles, "--miles", "miles");
    if (miles <= 0 || miles > 10000) fail(Code::bad_amount, "--miles takes 1 to 10000 miles");
    body.miles = static_cast<std::uint32_t>(miles);
    body.pence = miles * check(session.ledger().policy()).mileage_rate_pence;
  } else {
    body.pence = parse_whole_arg(args.pence, "--pence", "pence (1240 for 12.40)");
  }
  body.currency = session.ledger().currency();
  if (!args.currency.empty()) {
    auto currency = Currency::parse(args.currency);
    if (!currency) fail(Code::malformed, "--currency takes a three-letter code such as GBP");
    body.currency = *currency;
  }
  body.date_days = parse_date_arg(args.date, "--date");
  if (!args.hours.empty()) body.hours = session.resolve_id(args.hours);
  body.note_digest = session.put_note(args.note);
  KeptReceipt receipt;
  if (!args.receipt.empty()) {
    receipt = keep_receipt(session, args.receipt);
    body.receipt_digest = receipt.digest;
  }
  SubmitResult result;
  try {
    result = session.submit_as(author, body);
  } catch (const CliError&) {
    if (receipt.created) fs::remove(receipt.path);
    throw;
  }
  if (options.json)
    return print_json({{"id", to_hex(result.id)},
                       {"seq", result.seq},
                       {"pence", body.pence},
                       {"currency", body.currency.str()},
                       {"duplicate", result.duplicate}});
  out() << session.name_of(author) << " claims " << format_pence(body.pence) << " " << body.currency.str()
        << " for " << expense_category_name(body.category)
        << (body.miles ? " (" + std::to_string(body.miles) + " miles)" : std::string()) << " on "
        << format_date(body.date_days) << ". An admin approves or rejects it.\n"
        << to_hex(result.id) << "\n";
}

nlohmann::json claim_json(Session& session, const ExpenseState& e) {
  auto note = [&](const Hash32& digest) -> std::string {
    if (digest.is_zero()) return "";
    return session.directory().note(digest).value_or("(erased)");
  };
  return {{"id", to_hex(e.id)},
          {"member", session.name_of(e.claimant)},
          {"date", format_date(e.date_days)},
          {"category", expense_category_name(e.category)},
          {"pence", e.pence},
          {"currency", e.currency.str()},
          {"miles", e.miles},
          {"status", expense_status_name(e.status)},
          {"receipt", e.receipt_digest.is_zero() ? "" : to_hex(e.receipt_digest)},
          {"receipt_kept",
           !e.receipt_digest.is_zero() && fs::exists(session.dir() / "receipts" / to_hex(e.receipt_digest))},
          {"decided_by", e.decided_by_key.is_zero() ? "" : session.name_of(e.decided_by_key)},
          {"paid_date", e.status == ExpenseStatus::paid ? format_date(e.paid_date_days) : ""},
          {"reason", note(e.reason_digest)},
          {"payment_reference", note(e.reference_digest)}};
}

void run_list(const GlobalOptions& options, const std::string& status, const std::string& member) {
  Session session(options);
  std::optional<PublicKey> only;
  if (!member.empty()) only = session.member_key(member);
  nlohmann::json list = nlohmann::json::array();
  Table table({"CLAIM", "MEMBER", "DATE", "CATEGORY", "AMOUNT", "STATUS", "PAID", "RECEIPT"},
              {false, false, false, false, true});
  auto claims = check(session.ledger().expenses());
  std::sort(claims.begin(), claims.end(),
            [](const ExpenseState& a, const ExpenseState& b) { return a.claimed_seq < b.claimed_seq; });
  for (const auto& claim : claims) {
    if (only && claim.claimant != *only) continue;
    if (!status.empty() && status != expense_status_name(claim.status)) continue;
    nlohmann::json json = claim_json(session, claim);
    list.push_back(json);
    table.add(
        {to_hex(claim.id).substr(0, 12), json["member"], json["date"], json["category"],
         format_pence(claim.pence) + " " + claim.currency.str(), json["status"],
         claim.status == ExpenseStatus::paid ? json["paid_date"].get<std::string>() : "-",
         claim.receipt_digest.is_zero() ? "-" : (json["receipt_kept"].get<bool>() ? "kept" : "erased")});
  }
  if (options.json) return print_json({{"claims", list}});
  out() << table.render();
}

enum class Decision { approve, reject, pay };

struct DecideArgs {
  std::string id, as, text, date;
};

void run_decide(const GlobalOptions& options, Decision decision, const DecideArgs& args) {
  Session session(options);
  PublicKey admin = session.member_key(args.as);
  EntryId claim_id = session.resolve_id(args.id);
  ExpenseState claim = check(session.ledger().expense(claim_id));
  // The day the money was paid: today by the session's clock unless given.
  const std::int32_t paid_days =
      args.date.empty() ? days_from_ms(session.clock().now_ms()) : parse_date_arg(args.date, "--date");
  Hash32 digest = session.put_note(args.text);
  SubmitResult result;
  std::string verb;
  switch (decision) {
    case Decision::approve:
      result = session.submit_as(admin, ExpenseApprove{claim_id, digest});
      verb = "Approved";
      break;
    case Decision::reject:
      result = session.submit_as(admin, ExpenseReject{claim_id, digest});
      verb = "Rejected";
      break;
    case Decision::pay:
      result = session.submit_as(admin, ExpensePaid{claim_id, paid_days, digest});
      verb = "Paid";
      break;
  }
  if (options.json) {
    nlohmann::json json = {{"id", to_hex(result.id)}, {"seq", result.seq}, {"claim", to_hex(claim_id)}};
    if (decision == Decision::pay) json["paid_date"] = format_date(paid_days);
    return print_json(json);
  }
  out() << verb << ": " << session.name_of(claim.claimant) << "'s claim of " << format_pence(claim.pence)
        << " " << claim.currency.str() << " for " << expense_category_name(claim.category)
        << (decision == Decision::pay ? " on " + format_date(paid_days) : std::string()) << ".\n"
        << to_hex(result.id) << "\n";
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
                        "Receipt file; a copy is kept in the erasable receipts store");
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
    command->callback([&options, decision, decide] { run_decide(options, decision, *decide); });
  }
}

}  // namespace cohours::cli
