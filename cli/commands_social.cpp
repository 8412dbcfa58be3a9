// Social value and thanks: `policy social-value` (the replacement rate the
// period report values hours at) and `thanks send / list / erase`.
#include "client.h"
#include "cohours/app/social_value.h"
#include "cohours/app/thanks.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

struct RateArgs {
  std::string as, rate, source, date;
};

nlohmann::json rate_json(const app::SocialValueRateView& v) {
  if (!v.set) return {{"set", false}};
  return {{"set", true},
          {"pence_per_hour", v.pence_per_hour},
          {"currency", v.currency},
          {"source", v.source},
          {"date", format_date(v.date_days)},
          {"set_by", v.set_by},
          {"set_at", format_time_ms(v.set_ms)}};
}

void print_rate(const app::SocialValueRateView& v) {
  if (!v.set) {
    out() << "No replacement rate is set: the period report does not value hours. Set one with\n"
          << "  cohours policy social-value --rate 1600 --source \"WHERE IT COMES FROM\" --date YYYY-MM-DD --as ADMIN\n";
    return;
  }
  out() << "Replacement rate: " << format_pence(v.pence_per_hour) << " " << v.currency << " an hour ("
        << v.pence_per_hour << " pence)\nsource: " << v.source << "\ndated: " << format_date(v.date_days)
        << "\nset by " << v.set_by << " at " << format_time_ms(v.set_ms) << "\n"
        << "The period report values volunteer hours at this rate: an estimate, never money in the ledger.\n";
}

void run_social_value(const GlobalOptions& options, const RateArgs& args) {
  Client client(options);
  if (args.rate.empty() && args.source.empty() && args.date.empty()) {
    app::SocialValueRateView view = client.call(app::ShowSocialValueRate{});
    if (options.json) return print_json(rate_json(view));
    return print_rate(view);
  }
  if (args.rate.empty() || args.source.empty() || args.date.empty() || args.as.empty())
    usage_error("give --rate, --source, --date and --as together (or none of them to see the rate)");
  app::SetSocialValueRate request;
  request.as = args.as;
  request.pence_per_hour = parse_whole_arg(args.rate, "--rate", "pence an hour (1600 for 16.00)");
  request.source = args.source;
  request.date_days = parse_date_arg(args.date, "--date");
  app::SocialValueRateView view = client.call(request);
  if (options.json) return print_json(rate_json(view));
  print_rate(view);
}

nlohmann::json thanks_json(const app::ThanksView& t) {
  return {{"id", t.id},
          {"entry", to_hex(t.entry)},
          {"from", t.from},
          {"to", t.to},
          {"text", t.text},
          {"sent", format_time_ms(t.sent_ms)},
          {"minutes", t.minutes},
          {"category", t.category},
          {"date", format_date(t.date_days)}};
}

void run_thanks_send(const GlobalOptions& options, const app::SendThanks& request) {
  Client client(options);
  app::ThanksView sent = client.call(request);
  if (options.json) return print_json(thanks_json(sent));
  out() << "Thank-you sent to " << sent.to << " for " << format_minutes(sent.minutes) << " of " << sent.category
        << " on " << format_date(sent.date_days) << ". It is kept off the signed log; you or " << sent.to
        << " can erase it.\n"
        << sent.id << "\n";
}

void print_thanks(const std::vector<app::ThanksView>& list, bool received) {
  for (const auto& t : list)
    out() << "- " << format_date(days_from_ms(t.sent_ms)) << (received ? " from " : " to ")
          << (received ? t.from : t.to) << ", for " << format_minutes(t.minutes) << " of " << t.category << " on "
          << format_date(t.date_days) << ": " << t.text << "\n  " << t.id << "\n";
}

void run_thanks_list(const GlobalOptions& options, const app::ListThanks& request) {
  Client client(options);
  app::ThanksList list = client.call(request);
  if (options.json) {
    nlohmann::json received = nlohmann::json::array(), sent = nlohmann::json::array();
    for (const auto& t : list.received) received.push_back(thanks_json(t));
    for (const auto& t : list.sent) sent.push_back(thanks_json(t));
    return print_json({{"received", received}, {"sent", sent}});
  }
  out() << "Thank-yous received: " << list.received.size() << "\n";
  print_thanks(list.received, true);
  out() << "Thank-yous sent: " << list.sent.size() << "\n";
  print_thanks(list.sent, false);
}

void run_thanks_erase(const GlobalOptions& options, const app::EraseThanks& request) {
  Client client(options);
  app::ThanksErased erased = client.call(request);
  if (options.json) return print_json({{"erased", erased.id}});
  out() << "Thank-you " << erased.id << " erased.\n";
}

}  // namespace

void add_social_value_command(CLI::App& policy, GlobalOptions& options) {
  auto args = std::make_shared<RateArgs>();
  CLI::App* cmd = add_command(policy, "social-value",
                              "Show or set the replacement rate the period report values volunteer hours at "
                              "(kept off the signed log)");
  cmd->add_option("--rate", args->rate, "Pence an hour, e.g. 1600 for 16.00");
  cmd->add_option("--source", args->source,
                  "Where the rate comes from, e.g. \"Kent County Council homecare rate 2026/27\"");
  cmd->add_option("--date", args->date, "The day the rate is dated, YYYY-MM-DD");
  cmd->add_option("--as", args->as, "The admin who sets it");
  cmd->callback([&options, args] { run_social_value(options, *args); });
}

void add_thanks_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* thanks = add_command(app, "thanks", "Thank a volunteer for help you received (kept off the log)");
  thanks->require_subcommand(1);

  auto send = std::make_shared<app::SendThanks>();
  CLI::App* send_cmd = add_command(*thanks, "send", "Thank the volunteer who gave you this help");
  send_cmd->add_option("entry", send->entry, "The hours or respite entry's id (or its first 8+ digits)")->required();
  send_cmd->add_option("text", send->text, "Up to 280 characters")->required();
  send_cmd->add_option("--as", send->as, "The member who received or paid for the help")->required();
  send_cmd->callback([&options, send] { run_thanks_send(options, *send); });

  auto list = std::make_shared<app::ListThanks>();
  CLI::App* list_cmd = add_command(*thanks, "list", "Thank-yous you received and sent");
  list_cmd->add_option("--as", list->as, "The member")->required();
  list_cmd->callback([&options, list] { run_thanks_list(options, *list); });

  auto erase = std::make_shared<app::EraseThanks>();
  CLI::App* erase_cmd = add_command(*thanks, "erase", "Erase a thank-you you sent or received");
  erase_cmd->add_option("id", erase->id, "Its id, from `thanks list`")->required();
  erase_cmd->add_option("--as", erase->as, "Its sender, the volunteer thanked, or an admin")->required();
  erase_cmd->callback([&options, erase] { run_thanks_erase(options, *erase); });
}

}  // namespace cohours::cli
