// member invite and member invitations: a person who will sign on their own
// phone gets a one-time code (and a QR code of the app's address with it).
// member rekey: a member who lost their phone gets a new key, often by the
// same kind of code for their new phone.
#include <unistd.h>

#include "client.h"
#include "cohours/app/invitations.h"
#include "cohours/app/rekey.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"
#include "qr_text.h"

namespace cohours::cli {

namespace {

struct InviteArgs {
  std::string alias, as, url;
  std::vector<std::string> roles;
  std::int64_t hours = app::kInvitationHours;
  bool qr = false;
};

// The address the phone app opens with the code filled in (docs/phone.md);
// empty without the app's address.
std::string enrol_link(const std::string& url, const std::string& code) {
  std::string compact;
  for (char ch : code)
    if (ch != '-') compact += ch;
  return url.empty() ? "" : url + "#enrol=" + compact;
}

// The code as a QR code: of the link if there is one, else of the code.
void print_qr(bool asked, const std::string& code, const std::string& link) {
  if (!asked && !::isatty(STDOUT_FILENO)) return;
  if (auto qr = qr_text(link.empty() ? code : link))
    out() << (link.empty() ? "The code as a QR code:\n" : "or scan this with their phone's camera:\n") << *qr;
}

void run_invite(const GlobalOptions& options, const InviteArgs& args) {
  Client client(options);
  app::Invited invited = client.call(app::InviteMember{args.alias, args.roles, args.as, args.hours});
  const std::string link = enrol_link(args.url, invited.code);
  if (options.json)
    return print_json({{"alias", invited.alias},
                       {"roles", roles_to_string(invited.roles)},
                       {"code", invited.code},
                       {"expires", format_time_ms(invited.expires_ms)},
                       {"link", link}});
  out() << "Invited " << invited.alias << " (" << roles_to_string(invited.roles)
        << "). Give them this code; it works once, until " << format_time_ms(invited.expires_ms)
        << ":\n\n    " << invited.code << "\n\n";
  if (!link.empty()) out() << "Or let them open " << link << "\n";
  print_qr(args.qr, invited.code, link);
}

struct RekeyArgs {
  std::string alias, as, key, url;
  std::int64_t hours = app::kInvitationHours;
  bool qr = false;
};

const char* new_key_name(app::NewKey how) {
  switch (how) {
    case app::NewKey::given:
      return "given";
    case app::NewKey::keyring:
      return "keyring";
    case app::NewKey::enrolment:
      return "enrolment";
  }
  return "unknown";
}

void run_rekey(const GlobalOptions& options, const RekeyArgs& args) {
  Client client(options);
  app::MemberRekeyed rekeyed = client.call(app::RekeyMember{args.alias, args.as, args.key, args.hours});
  const std::string link = rekeyed.code.empty() ? "" : enrol_link(args.url, rekeyed.code);
  auto hex_or_empty = [](const PublicKey& key) { return key.is_zero() ? std::string() : to_hex(key); };
  if (options.json)
    return print_json({{"id", rekeyed.entry.id.is_zero() ? std::string() : to_hex(rekeyed.entry.id)},
                       {"alias", rekeyed.alias},
                       {"member", to_hex(rekeyed.member)},
                       {"retired_key", hex_or_empty(rekeyed.retired_key)},
                       {"new_key", hex_or_empty(rekeyed.new_key)},
                       {"how", new_key_name(rekeyed.how)},
                       {"code", rekeyed.code},
                       {"expires", rekeyed.code.empty() ? "" : format_time_ms(rekeyed.expires_ms)},
                       {"link", link}});
  if (!rekeyed.retired_key.is_zero())
    out() << "Retired " << rekeyed.alias << "'s key " << to_hex(rekeyed.retired_key).substr(0, 16)
          << ": from now on nothing it signs is accepted.\n";
  switch (rekeyed.how) {
    case app::NewKey::given:
      out() << rekeyed.alias << " now signs with key " << to_hex(rekeyed.new_key) << "\n";
      break;
    case app::NewKey::keyring:
      out() << rekeyed.alias << " now signs with key " << to_hex(rekeyed.new_key)
            << ", kept in this node's keyring\n";
      break;
    case app::NewKey::enrolment:
      out() << rekeyed.alias
            << " has no key until their new phone enrols. Give them this code; it works once, until "
            << format_time_ms(rekeyed.expires_ms) << ":\n\n    " << rekeyed.code << "\n\n";
      if (!link.empty()) out() << "Or let them open " << link << "\n";
      print_qr(args.qr, rekeyed.code, link);
      break;
  }
  out() << "Their balance, pending hours, requests and claims are unchanged.\n";
}

void run_invitations(const GlobalOptions& options) {
  Client client(options);
  app::InvitationList list = client.call(app::ListInvitations{});
  nlohmann::json rows = nlohmann::json::array();
  Table table({"ALIAS", "ROLES", "FOR", "INVITED BY", "EXPIRES"});
  for (const auto& i : list.invitations) {
    const char* purpose = i.member.is_zero() ? "joining" : "new key";
    rows.push_back({{"alias", i.alias},
                    {"roles", roles_to_string(i.roles)},
                    {"for", purpose},
                    {"inviter", i.inviter},
                    {"expires", format_time_ms(i.expires_ms)}});
    table.add({i.alias, roles_to_string(i.roles), purpose, i.inviter, format_time_ms(i.expires_ms)});
  }
  if (options.json) return print_json({{"invitations", rows}});
  out() << table.render();
}

}  // namespace

void add_invitation_commands(CLI::App& member, GlobalOptions& options) {
  auto invite = std::make_shared<InviteArgs>();
  CLI::App* invite_cmd = add_command(
      member, "invite", "Invite a person who will sign on their own phone (a coordinator or admin)");
  invite_cmd->add_option("alias", invite->alias, "The alias they will have")->required();
  invite_cmd->add_option("--role", invite->roles, "A role (repeat for several)")->required();
  invite_cmd->add_option("--as", invite->as, "The coordinator or admin inviting")->required();
  invite_cmd->add_option("--hours", invite->hours, "How long the code works")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, app::kMaxInvitationHours));
  invite_cmd->add_option("--url", invite->url,
                         "The phone app's address (https://...), put in the QR code with the code");
  invite_cmd->add_flag("--qr", invite->qr, "Print the QR code even when not on a terminal");
  invite_cmd->callback([&options, invite] { run_invite(options, *invite); });

  CLI::App* list = add_command(member, "invitations", "Invitations not yet used");
  list->callback([&options] { run_invitations(options); });

  auto rekey = std::make_shared<RekeyArgs>();
  CLI::App* rekey_cmd =
      add_command(member, "rekey",
                  "Give a member a new key (a lost phone): the old key is refused at once, history stays");
  rekey_cmd->add_option("alias", rekey->alias, "The member")->required();
  rekey_cmd->add_option("--as", rekey->as, "The coordinator or admin asking (default: the node operator)");
  rekey_cmd->add_option("--key", rekey->key,
                        "The new public key (hex) if their new device made one; without it, a code for "
                        "their new phone (or a new keyring key for a member without a phone)");
  rekey_cmd->add_option("--hours", rekey->hours, "How long the code works")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, app::kMaxInvitationHours));
  rekey_cmd->add_option("--url", rekey->url,
                        "The phone app's address (https://...), put in the QR code with the code");
  rekey_cmd->add_flag("--qr", rekey->qr, "Print the QR code even when not on a terminal");
  rekey_cmd->callback([&options, rekey] { run_rekey(options, *rekey); });
}

}  // namespace cohours::cli
