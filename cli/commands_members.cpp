#include <algorithm>
#include <filesystem>

#include "cohours/crypto.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

std::uint32_t parse_roles(const std::vector<std::string>& names) {
  std::uint32_t roles = 0;
  for (const auto& name : names) {
    auto role = parse_role(name);
    if (!role)
      fail(Code::malformed, "unknown role '" + name +
                                "'; roles are volunteer, carer, service-user, staff, "
                                "coordinator, admin, auditor");
    roles |= *role;
  }
  if (roles == 0) fail(Code::malformed, "give at least one --role");
  return roles;
}

struct AddArgs {
  std::string alias, key_hex, contact, as;
  std::vector<std::string> roles;
};

// Words that commands read as accounts, not members.
bool reserved_alias(const std::string& alias) {
  return alias == "pool" || alias == "community" || alias == "node";
}

void run_add(const GlobalOptions& options, const AddArgs& args) {
  Session session(options);
  if (!valid_alias(args.alias))
    fail(Code::malformed, "alias '" + args.alias +
                              "' must be 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
  if (reserved_alias(args.alias))
    fail(Code::malformed, "'" + args.alias + "' is a reserved word; choose another alias");
  std::uint32_t roles = parse_roles(args.roles);
  std::optional<PublicKey> given;
  if (!args.key_hex.empty()) {
    given = fixed_from_hex<PublicKey>(args.key_hex);
    if (!given) fail(Code::malformed, "--key takes the member's ed25519 public key as 64 hex digits");
    if (given->is_zero() || *given == session.ledger().node_key())
      fail(Code::malformed, "--key cannot be zero or the node's own key");
    if (session.ledger().member(*given).ok()) fail(Code::already_exists, "that key is already a member");
  }
  PublicKey key;
  bool resumed = false, generated = false;
  auto existing = session.directory().key_for(args.alias);
  if (existing.ok()) {
    // The alias may be left from an add that stopped before its join was
    // stored: finish that one rather than refuse, but never with another key.
    if (session.ledger().member(existing.value()).ok())
      fail(Code::already_exists, "'" + args.alias + "' is already a member");
    if (given && *given != existing.value())
      fail(Code::already_exists, "alias '" + args.alias +
                                     "' is bound to another key by an unfinished add; "
                                     "run it again without --key, or choose another alias");
    key = existing.value();
    resumed = true;
  } else if (given) {
    key = *given;
  } else {
    KeyPair pair = generate_keypair();
    key = pair.public_key;
    write_secret_key(session.keyring_path(key), pair.secret_key);
    generated = true;
  }
  if (!resumed) check(session.directory().add({key, args.alias, args.contact}));
  MemberJoin join{key, roles, session.ledger().node_key()};
  SubmitResult result;
  try {
    result =
        args.as.empty() ? session.submit_as_node(join) : session.submit_as(session.member_key(args.as), join);
  } catch (const CliError&) {
    // Refused: take back the alias, contact details and key made for it.
    if (!resumed) {
      (void)session.directory().remove(key);
      if (generated) std::filesystem::remove(session.keyring_path(key));
    }
    throw;
  }
  if (options.json) {
    print_json({{"id", to_hex(result.id)},
                {"alias", args.alias},
                {"key", to_hex(key)},
                {"roles", roles_to_string(roles)},
                {"key_in_keyring", session.in_keyring(key)}});
  } else {
    out() << "Added " << args.alias << " (" << roles_to_string(roles) << ")"
          << (session.in_keyring(key) ? ", key kept in this node's keyring" : ", signs with their own key")
          << "\n"
          << "key " << to_hex(key) << "\n";
  }
}

nlohmann::json member_json(Session& session, const MemberInfo& member) {
  auto entry = session.directory().find(member.key);
  return {{"alias", session.name_of(member.key)},   {"key", to_hex(member.key)},
          {"roles", roles_to_string(member.roles)}, {"contact", entry ? entry->contact : ""},
          {"joined_seq", member.joined_seq},        {"key_in_keyring", session.in_keyring(member.key)}};
}

void run_list(const GlobalOptions& options) {
  Session session(options);
  auto members = check(session.ledger().members());
  std::sort(members.begin(), members.end(), [&](const MemberInfo& a, const MemberInfo& b) {
    return session.name_of(a.key) < session.name_of(b.key);
  });
  nlohmann::json list = nlohmann::json::array();
  Table table({"ALIAS", "ROLES", "KEY", "SIGNS WITH"});
  for (const auto& member : members) {
    nlohmann::json json = member_json(session, member);
    list.push_back(json);
    table.add({json["alias"], json["roles"], to_hex(member.key).substr(0, 16),
               json["key_in_keyring"].get<bool>() ? "node keyring" : "own device"});
  }
  if (options.json) return print_json({{"members", list}});
  out() << table.render();
}

void run_show(const GlobalOptions& options, const std::string& alias) {
  Session session(options);
  MemberInfo member = check(session.ledger().member(session.member_key(alias)));
  nlohmann::json json = member_json(session, member);
  if (options.json) return print_json(json);
  for (auto& [field, value] : json.items())
    out() << field << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
}

struct RoleArgs {
  std::string alias, as;
  std::vector<std::string> roles;
};

void run_role(const GlobalOptions& options, const RoleArgs& args) {
  Session session(options);
  PublicKey key = session.member_key(args.alias);
  MemberRole change{key, parse_roles(args.roles)};
  SubmitResult result = args.as.empty() ? session.submit_as_node(change)
                                        : session.submit_as(session.member_key(args.as), change);
  if (options.json) return print_json({{"id", to_hex(result.id)}, {"roles", roles_to_string(change.roles)}});
  out() << args.alias << " now has roles " << roles_to_string(change.roles) << "\n"
        << to_hex(result.id) << "\n";
}

struct EditArgs {
  std::string alias, new_alias, contact, as;
  bool clear_contact = false;
};

void require_admin(Session& session, const std::string& as) {
  MemberInfo admin = check(session.ledger().member(session.member_key(as)));
  if (!(admin.roles & role_admin))
    fail(Code::not_permitted, "only an admin may change or erase members' details");
}

void run_edit(const GlobalOptions& options, const EditArgs& args) {
  Session session(options);
  require_admin(session, args.as);
  if (args.new_alias.empty() && args.contact.empty() && !args.clear_contact)
    usage_error("nothing to change: give --alias, --contact or --clear-contact");
  PublicKey key = session.member_key(args.alias);
  auto entry = session.directory().find(key);
  if (!entry) fail(Code::unknown_member, "'" + args.alias + "' has no directory entry");
  if (!args.new_alias.empty()) {
    if (reserved_alias(args.new_alias)) fail(Code::malformed, "'" + args.new_alias + "' is a reserved word");
    entry->alias = args.new_alias;
  }
  if (!args.contact.empty() || args.clear_contact) entry->contact = args.contact;
  check(session.directory().replace(*entry));
  check(session.store().compact(Column::directory));  // the old details must not linger on disk
  if (options.json)
    return print_json({{"alias", entry->alias}, {"contact", entry->contact}, {"key", to_hex(key)}});
  out() << "Updated " << entry->alias << "\n";
}

// Private-note digests an entry carries (notes, memos, reasons, references).
std::vector<Hash32> note_digests(const EntryBody& body) {
  return std::visit(
      [](const auto& b) -> std::vector<Hash32> {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, HoursLog> || std::is_same_v<T, RespiteRequest> || std::is_same_v<T, ExpenseClaim>)
          return {b.note_digest};
        else if constexpr (std::is_same_v<T, Transfer> || std::is_same_v<T, TransferOut>) return {b.memo_digest};
        else if constexpr (std::is_same_v<T, RemoteHoursLog>) return {b.hours.note_digest};
        else if constexpr (std::is_same_v<T, HoursVoid> || std::is_same_v<T, Reversal> ||
                           std::is_same_v<T, ExpenseApprove> || std::is_same_v<T, ExpenseReject>)
          return {b.reason_digest};
        else if constexpr (std::is_same_v<T, ExpensePaid>) return {b.reference_digest};
        else return {};
      },
      body);
}

// Whether an entry concerns the member: signed by or for them, naming them,
// or acting on their hours, request or claim.
bool concerns(Session& session, const Entry& entry, const PublicKey& member) {
  if (entry.author == member || entry.on_behalf == member) return true;
  auto movement_concerns = [&](const EntryId& id) {
    auto m = session.ledger().movement(id);
    return m.ok() && (m->provider == member || m->recipient == member ||
                      (m->payer.kind == AccountKind::member && m->payer.key == member));
  };
  auto request_concerns = [&](const EntryId& id) {
    auto r = session.ledger().respite_request(id);
    return r.ok() && r->carer == member;
  };
  auto claim_concerns = [&](const EntryId& id) {
    auto c = session.ledger().expense(id);
    return c.ok() && c->claimant == member;
  };
  return std::visit(
      [&](const auto& b) -> bool {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, MemberJoin> || std::is_same_v<T, MemberRole>) return b.member == member;
        else if constexpr (std::is_same_v<T, HoursLog>) return b.recipient == member;
        else if constexpr (std::is_same_v<T, Transfer> || std::is_same_v<T, TransferIn>) return b.to == member;
        else if constexpr (std::is_same_v<T, RemoteHoursLog>) return b.hours.recipient == member;
        else if constexpr (std::is_same_v<T, HoursConfirm> || std::is_same_v<T, HoursVoid> || std::is_same_v<T, Reversal>)
          return movement_concerns(b.target);
        else if constexpr (std::is_same_v<T, RespiteOffer> || std::is_same_v<T, RespiteCancel>)
          return request_concerns(b.request);
        else if constexpr (std::is_same_v<T, ExpenseApprove> || std::is_same_v<T, ExpenseReject> ||
                           std::is_same_v<T, ExpensePaid>)
          return claim_concerns(b.claim);
        else return false;
      },
      entry.body);
}

// Digests of every private note on an entry that concerns the member.
std::vector<Hash32> notes_of(Session& session, const PublicKey& member) {
  std::vector<Hash32> digests;
  for (std::uint64_t seq = 1; seq <= session.ledger().log_size(); ++seq) {
    auto entry = decode_entry(check(session.ledger().record(seq)).entry);
    if (!entry.ok() || !concerns(session, entry->entry, member)) continue;
    for (const Hash32& digest : note_digests(entry->entry.body)) digests.push_back(digest);
  }
  return digests;
}

void run_forget(const GlobalOptions& options, const std::string& alias, const std::string& as) {
  Session session(options);
  require_admin(session, as);
  PublicKey key = session.member_key(alias);
  check(session.ledger().member(key));
  std::size_t notes = 0, receipts = 0;
  for (const Hash32& digest : notes_of(session, key))
    if (!digest.is_zero() && session.directory().note(digest)) {
      check(session.directory().erase_note(digest));
      ++notes;
    }
  // A receipt file is named by its content: keep it while another member's
  // claim still cites the same file.
  auto claims = check(session.ledger().expenses());
  for (const auto& claim : claims) {
    if (claim.claimant != key || claim.receipt_digest.is_zero()) continue;
    bool shared = std::any_of(claims.begin(), claims.end(), [&](const ExpenseState& other) {
      return other.claimant != key && other.receipt_digest == claim.receipt_digest;
    });
    if (!shared && std::filesystem::remove(session.dir() / "receipts" / to_hex(claim.receipt_digest))) ++receipts;
  }
  bool had_key = std::filesystem::remove(session.keyring_path(key));
  if (session.directory().find(key)) check(session.directory().remove(key));
  // Deleted rows linger in the database files until rewritten.
  check(session.store().compact(Column::directory));
  check(session.store().compact(Column::notes));
  std::string pseudonym = session.name_of(key);
  if (options.json)
    return print_json({{"pseudonym", pseudonym},
                       {"notes_erased", notes},
                       {"receipts_erased", receipts},
                       {"keyring_key_erased", had_key}});
  out() << "Forgot " << alias << ": directory entry, " << notes << " private notes, " << receipts
        << " receipts" << (had_key ? " and the keyring key" : "") << " erased.\n"
        << "The signed log is unchanged; reports now show this member as " << pseudonym << ".\n";
}

}  // namespace

void add_member_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* member = add_command(app, "member", "Add, list and show members; change their roles");
  member->require_subcommand(1);

  auto add = std::make_shared<AddArgs>();
  CLI::App* add_cmd = add_command(*member, "add", "Add a member with one or more roles");
  add_cmd->add_option("alias", add->alias, "Short name used in commands, e.g. alice")->required();
  add_cmd
      ->add_option("--role", add->roles,
                   "volunteer, carer, service-user, staff, coordinator, admin, auditor (repeatable)")
      ->required();
  add_cmd->add_option("--key", add->key_hex, "The member's own public key (hex) if their phone made one");
  add_cmd->add_option("--contact", add->contact, "Contact details, kept only in the erasable directory");
  add_cmd->add_option("--as", add->as, "An admin who signs (default: the node operator's key)");
  add_cmd->callback([&options, add] { run_add(options, *add); });

  CLI::App* list = add_command(*member, "list", "List members");
  list->callback([&options] { run_list(options); });

  auto alias = std::make_shared<std::string>();
  CLI::App* show = add_command(*member, "show", "Show one member");
  show->add_option("alias", *alias)->required();
  show->callback([&options, alias] { run_show(options, *alias); });

  auto role = std::make_shared<RoleArgs>();
  CLI::App* role_cmd = add_command(*member, "role", "Replace a member's roles");
  role_cmd->add_option("alias", role->alias)->required();
  role_cmd->add_option("--role", role->roles)->required();
  role_cmd->add_option("--as", role->as, "An admin who signs (default: the node operator's key)");
  role_cmd->callback([&options, role] { run_role(options, *role); });

  auto edit = std::make_shared<EditArgs>();
  CLI::App* edit_cmd = add_command(*member, "edit", "Change a member's alias or contact details (an admin)");
  edit_cmd->add_option("alias", edit->alias)->required();
  edit_cmd->add_option("--alias", edit->new_alias, "A new alias");
  edit_cmd->add_option("--contact", edit->contact, "New contact details");
  edit_cmd->add_flag("--clear-contact", edit->clear_contact, "Remove the contact details");
  edit_cmd->add_option("--as", edit->as, "The admin")->required();
  edit_cmd->callback([&options, edit] { run_edit(options, *edit); });

  auto forget_as = std::make_shared<std::string>();
  CLI::App* forget = add_command(
      *member, "forget", "Erase a member's personal data: directory entry, notes, receipts, keyring key");
  forget->add_option("alias", *alias)->required();
  forget->add_option("--as", *forget_as, "The admin")->required();
  forget->callback([&options, alias, forget_as] { run_forget(options, *alias, *forget_as); });
}

}  // namespace cohours::cli
