// Member commands: add, list, show, role, edit, forget (app/members.h).

#include "client.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

struct AddArgs {
  std::string alias, key_hex, contact, as;
  std::vector<std::string> roles;
};

void run_add(const GlobalOptions& options, const AddArgs& args) {
  Client client(options);
  app::MemberAdded added =
      client.call(app::AddMember{args.alias, args.roles, args.key_hex, args.contact, args.as});
  if (options.json)
    return print_json({{"id", to_hex(added.entry.id)},
                       {"alias", added.alias},
                       {"key", to_hex(added.key)},
                       {"roles", roles_to_string(added.roles)},
                       {"key_in_keyring", added.key_in_keyring}});
  out() << "Added " << added.alias << " (" << roles_to_string(added.roles) << ")"
        << (added.key_in_keyring ? ", key kept in this node's keyring" : ", signs with their own key") << "\n"
        << "key " << to_hex(added.key) << "\n";
}

nlohmann::json member_json(const app::MemberView& member) {
  return {{"alias", member.alias},
          {"key", to_hex(member.key)},
          {"roles", roles_to_string(member.roles)},
          {"contact", member.contact},
          {"joined_seq", member.joined_seq},
          {"key_in_keyring", member.key_in_keyring},
          {"signing_key", member.signing_key.is_zero() ? std::string() : to_hex(member.signing_key)}};
}

void run_list(const GlobalOptions& options) {
  Client client(options);
  app::MemberList members = client.call(app::ListMembers{});
  nlohmann::json list = nlohmann::json::array();
  Table table({"ALIAS", "ROLES", "KEY", "SIGNS WITH"});
  for (const auto& member : members.members) {
    list.push_back(member_json(member));
    table.add({member.alias, roles_to_string(member.roles), to_hex(member.key).substr(0, 16),
               member.key_in_keyring              ? "node keyring"
               : member.signing_key.is_zero()     ? "none: new phone to enrol"
               : member.signing_key != member.key ? "own device (new key)"
                                                  : "own device"});
  }
  if (options.json) return print_json({{"members", list}});
  out() << table.render();
}

void run_show(const GlobalOptions& options, const std::string& alias) {
  Client client(options);
  nlohmann::json json = member_json(client.call(app::ShowMember{alias}));
  if (options.json) return print_json(json);
  for (auto& [field, value] : json.items())
    out() << field << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
}

struct RoleArgs {
  std::string alias, as;
  std::vector<std::string> roles;
};

void run_role(const GlobalOptions& options, const RoleArgs& args) {
  Client client(options);
  app::RolesChanged changed = client.call(app::ChangeRoles{args.alias, args.roles, args.as});
  if (options.json)
    return print_json({{"id", to_hex(changed.entry.id)}, {"roles", roles_to_string(changed.roles)}});
  out() << args.alias << " now has roles " << roles_to_string(changed.roles) << "\n"
        << to_hex(changed.entry.id) << "\n";
}

struct EditArgs {
  std::string alias, new_alias, contact, as;
  bool clear_contact = false;
};

void run_edit(const GlobalOptions& options, const EditArgs& args) {
  if (args.new_alias.empty() && args.contact.empty() && !args.clear_contact)
    usage_error("nothing to change: give --alias, --contact or --clear-contact");
  Client client(options);
  app::MemberEdited edited =
      client.call(app::EditMember{args.alias, args.as, args.new_alias, args.contact, args.clear_contact});
  if (options.json)
    return print_json({{"alias", edited.alias}, {"contact", edited.contact}, {"key", to_hex(edited.key)}});
  out() << "Updated " << edited.alias << "\n";
}

void run_forget(const GlobalOptions& options, const std::string& alias, const std::string& as) {
  Client client(options);
  app::MemberForgotten forgotten = client.call(app::ForgetMember{alias, as});
  if (options.json)
    return print_json({{"pseudonym", forgotten.pseudonym},
                       {"notes_erased", forgotten.notes_erased},
                       {"receipts_erased", forgotten.receipts_erased},
                       {"keyring_key_erased", forgotten.keyring_key_erased},
                       {"thanks_erased", forgotten.thanks_erased}});
  out() << "Forgot " << alias << ": directory entry, " << forgotten.notes_erased << " private notes, "
        << forgotten.receipts_erased << " receipts"
        << (forgotten.keyring_key_erased ? " and the keyring key" : "") << " erased.\n";
  if (forgotten.thanks_erased > 0) out() << forgotten.thanks_erased << " thank-yous sent or received erased.\n";
  out()
        << "The signed log is unchanged; reports now show this member as " << forgotten.pseudonym << ".\n";
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

  add_invitation_commands(*member, options);
  add_member_import_command(*member, options);
}

}  // namespace cohours::cli
