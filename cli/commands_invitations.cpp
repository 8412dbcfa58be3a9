// member invite and member invitations: a person who will sign on their own
// phone gets a one-time code (and a QR code of the app's address with it).
#include <unistd.h>

#include "client.h"
#include "cohours/app/invitations.h"
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

void run_invite(const GlobalOptions& options, const InviteArgs& args) {
  Client client(options);
  app::Invited invited = client.call(app::InviteMember{args.alias, args.roles, args.as, args.hours});
  // The phone app opens with the code filled in (docs/phone.md).
  std::string compact;
  for (char ch : invited.code)
    if (ch != '-') compact += ch;
  const std::string link = args.url.empty() ? "" : args.url + "#enrol=" + compact;
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
  if (args.qr || ::isatty(STDOUT_FILENO)) {
    if (auto qr = qr_text(link.empty() ? invited.code : link))
      out() << (link.empty() ? "The code as a QR code:\n" : "or scan this with their phone's camera:\n")
            << *qr;
  }
}

void run_invitations(const GlobalOptions& options) {
  Client client(options);
  app::InvitationList list = client.call(app::ListInvitations{});
  nlohmann::json rows = nlohmann::json::array();
  Table table({"ALIAS", "ROLES", "INVITED BY", "EXPIRES"});
  for (const auto& i : list.invitations) {
    rows.push_back({{"alias", i.alias},
                    {"roles", roles_to_string(i.roles)},
                    {"inviter", i.inviter},
                    {"expires", format_time_ms(i.expires_ms)}});
    table.add({i.alias, roles_to_string(i.roles), i.inviter, format_time_ms(i.expires_ms)});
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
}

}  // namespace cohours::cli
