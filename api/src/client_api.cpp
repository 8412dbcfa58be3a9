#include "cohours/api/client_api.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <variant>

#include "authenticator.h"
#include "cohours/api/json_schema.h"
#include "cohours/app/accounts.h"
#include "cohours/app/alerts.h"
#include "cohours/app/invitations.h"
#include "cohours/app/names.h"
#include "cohours/app/offers.h"
#include "cohours/app/receipts.h"
#include "cohours/app/self_service.h"
#include "cohours/app/thanks.h"
#include "cohours/dates.h"
#include "render.h"
#include "render_offers.h"

namespace cohours::api {

extern const std::pair<std::string_view, std::string_view> kEmbeddedSchemas[];
extern const std::size_t kEmbeddedSchemaCount;

namespace {

using json = nlohmann::json;

ApiResponse json_response(int status, const json& body) {
  ApiResponse out;
  out.status = status;
  // Text from the store is bytes; anything that is not UTF-8 is replaced.
  out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

// An app refusal as an HTTP answer.
ApiResponse refusal(const Status& status) {
  switch (status.code()) {
    case Code::malformed:
    case Code::bad_amount:
    case Code::bad_date:
    case Code::unknown_category:
      return ClientApi::error(400, "bad_request", status.message());
    case Code::not_permitted:
      return ClientApi::error(403, "forbidden", status.message());
    case Code::unknown_member:
    case Code::unknown_entry:
    case Code::not_found:
      return ClientApi::error(404, "not_found", status.message());
    case Code::already_exists:
      return ClientApi::error(409, "already_exists", status.message());
    // Not a wait (nothing expires): the member's claims free the room.
    case Code::limit_reached:
      return ClientApi::error(409, "limit_reached", status.message());
    case Code::io_error:
    case Code::corruption:
      return ClientApi::error(500, "internal", status.message());
    // Any other ledger refusal of a use case: 409 with the ledger's stable
    // code, each one in schemas/api/error.schema.json. No default, so a new
    // code is a compile warning here until it is mapped.
    case Code::bad_signature:
    case Code::floor_breached:
    case Code::wrong_state:
    case Code::wrong_node:
    case Code::not_vetted:
    case Code::possible_duplicate:
      return ClientApi::error(409, code_name(status.code()), status.message());
    case Code::ok:
      break;
  }
  return ClientApi::error(500, "internal", "a refusal without a reason: " + status.message());
}

// The media type of a Content-Type header, lower case, without parameters
// ("image/JPEG; x=y" is "image/jpeg").
std::string media_type(std::string_view header) {
  header = header.substr(0, header.find(';'));
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  std::string out(header);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
  bool ok = true;
};

// Splits the path from its query; parameters are plain (the API's values
// need no percent-encoding), a repeated or empty name makes it malformed.
Target split_target(const std::string& target) {
  Target out;
  auto mark = target.find('?');
  out.path = target.substr(0, mark);
  if (mark == std::string::npos) return out;
  std::string rest = target.substr(mark + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    std::size_t end = rest.find('&', start);
    if (end == std::string::npos) end = rest.size();
    std::string part = rest.substr(start, end - start);
    auto eq = part.find('=');
    if (eq == 0 || eq == std::string::npos ||
        !out.query.emplace(part.substr(0, eq), part.substr(eq + 1)).second) {
      out.ok = false;
      return out;
    }
    start = end + 1;
  }
  return out;
}

// How deeply the body's arrays and objects nest, read from its text before
// it is parsed: a parsed value costs some 60 bytes per level, so 1 MiB of
// '[' would become about 60 MB (measured: tests/hostile). Brackets inside
// strings do not count.
std::size_t nesting(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        in_string = false;
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '[' || ch == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

struct ClientApi::Impl {
  app::Node& node;
  Authenticator auth;
  std::map<std::string, Schema, std::less<>> schemas;

  Impl(app::Node& n, const ApiOptions& options) : node(n), auth(n.clock(), options) {
    for (std::size_t i = 0; i < kEmbeddedSchemaCount; ++i) {
      auto parsed = Schema::parse(json::parse(kEmbeddedSchemas[i].second));
      // The schemas are the repository's own, checked by the tests: a bad
      // one is a build mistake, not a run-time condition.
      if (parsed.ok()) schemas.emplace(std::string(kEmbeddedSchemas[i].first), parsed.value());
    }
  }

  // The body as JSON matching schema `name`, or the 400 to answer.
  std::variant<json, ApiResponse> body_of(const ApiRequest& r, const char* name) {
    if (nesting(r.body) > kMaxJsonNesting)
      return ClientApi::error(400, "bad_request",
                              "the body nests arrays and objects deeper than " + std::to_string(kMaxJsonNesting));
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return ClientApi::error(400, "bad_request", "the body is not JSON");
    auto schema = schemas.find(name);
    if (schema == schemas.end()) return ClientApi::error(500, "internal", std::string("no schema ") + name);
    if (auto problem = schema->second.validate(body))
      return ClientApi::error(
          400, "bad_request",
          (problem->field.empty() ? "the body" : problem->field) + ": " + problem->message, problem->field);
    return body;
  }

  ApiResponse health() {
    Ledger& ledger = node.ledger();
    return json_response(200, {{"status", "ok"},
                               {"node", ledger.node_name()},
                               {"node_key", to_hex(ledger.node_key())},
                               {"currency", ledger.currency().str()},
                               {"entry_format_version", kEntryFormatVersion}});
  }

  ApiResponse enrol(const ApiRequest& r) {
    if (!auth.allow_enrolment(r.peer))
      return with_retry(
          ClientApi::error(429, "rate_limited", "too many enrolments from this address; wait a minute"));
    auto body = body_of(r, "enrol-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    const json& b = std::get<json>(body);
    auto enrolled = app::enrol(node, {b["code"].get<std::string>(), b["public_key"].get<std::string>()});
    if (!enrolled.ok()) {
      if (enrolled.code() == Code::not_permitted)
        return ClientApi::error(403, "bad_code", enrolled.status().message());
      return refusal(enrolled.status());
    }
    auto self = app::show_self(node, {enrolled->key});
    if (!self.ok()) return refusal(self.status());
    return json_response(200, enrolled_json(enrolled.value(), self.value()));
  }

  ApiResponse entries(const ApiRequest& r, const PublicKey& member) {
    auto body = body_of(r, "entries-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    const json& b = std::get<json>(body);
    app::SubmitSigned request;
    request.member = member;
    for (std::size_t i = 0; i < b["entries"].size(); ++i) {
      auto bytes = from_hex(b["entries"][i].get<std::string>());
      if (!bytes)
        return ClientApi::error(400, "bad_request",
                                "entries/" + std::to_string(i) + ": not whole bytes of hex",
                                "entries/" + std::to_string(i));
      request.entries.push_back(std::move(*bytes));
    }
    if (b.contains("notes"))
      for (const auto& note : b["notes"])
        request.notes.push_back({*fixed_from_hex<Hash32>(note["salt"].get<std::string>()), note["text"]});
    if (b.contains("again"))
      for (const auto& id : b["again"]) request.again.push_back(*fixed_from_hex<EntryId>(id.get<std::string>()));
    auto outcomes = app::submit_signed(node, request);
    if (!outcomes.ok()) return refusal(outcomes.status());
    ApiResponse out = json_response(200, outcomes_json(outcomes.value()));
    // Entries the ledger refused are not an HTTP error, but the log says why.
    const auto& results = outcomes->results;
    auto first = std::find_if(results.begin(), results.end(),
                              [](const auto& one) { return one.outcome == app::Outcome::refused; });
    if (first != results.end()) {
      const auto refused = std::count_if(first, results.end(),
                                         [](const auto& one) { return one.outcome == app::Outcome::refused; });
      out.refusal_kind = "200 entry refused " + std::string(code_name(first->code));
      out.refusal = std::to_string(refused) + " of " + std::to_string(results.size()) +
                    " entries refused; the first " + std::string(code_name(first->code)) + ": " + first->message;
    }
    return out;
  }

  // The body is the receipt file itself; app keeps it (empty, the cap) and
  // records `uploader` (the member's identity) as its sender.
  ApiResponse receipt(const ApiRequest& r, const PublicKey& uploader) {
    const auto& types = app::kReceiptMediaTypes;
    if (std::find(types.begin(), types.end(), media_type(r.content_type)) == types.end())
      return ClientApi::error(415, "unsupported_media_type",
                              "a receipt is sent as image/jpeg, image/png, image/webp or application/pdf, not " +
                                  (r.content_type.empty() ? std::string("without a Content-Type") : r.content_type));
    auto stored = app::store_receipt(node, {Bytes(r.body.begin(), r.body.end()), "", uploader});
    if (!stored.ok()) return refusal(stored.status());
    return json_response(200, receipt_json(stored.value()));
  }

  // A thank-you from the signer (their identity) for help they received
  // or pay for; app says who may thank whom.
  ApiResponse send_thanks(const ApiRequest& r, const PublicKey& sender) {
    auto body = body_of(r, "thanks-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    const json& b = std::get<json>(body);
    auto sent = app::send_thanks(node, {to_hex(sender), b["entry"].get<std::string>(), b["text"].get<std::string>()});
    if (!sent.ok()) return refusal(sent.status());
    return json_response(200, thank_you_json(sent.value()));
  }

  ApiResponse erase_thanks(const ApiRequest& r, const PublicKey& member) {
    auto body = body_of(r, "thanks-erase-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    auto erased = app::erase_thanks(node, {to_hex(member), std::get<json>(body)["id"].get<std::string>()});
    if (!erased.ok()) return refusal(erased.status());
    return json_response(200, {{"erased", erased->id}});
  }

  // POST /v1/me/offers: an offer or request of the signed-in member.
  ApiResponse post_listing(const ApiRequest& r, const PublicKey& identity) {
    auto body = body_of(r, "offers-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    const json& b = std::get<json>(body);
    app::PostListing request;
    request.as = to_hex(identity);
    request.kind = b["kind"].get<std::string>();
    request.category = b["category"].get<std::string>();
    request.text = b["text"].get<std::string>();
    if (b.contains("days")) request.days = b["days"].get<std::string>();
    if (b.contains("date")) {
      auto day = parse_date(b["date"].get<std::string>());
      if (!day) return ClientApi::error(400, "bad_request", "date: not a date YYYY-MM-DD", "date");
      request.date_days = *day;
    }
    if (b.contains("district")) request.district = b["district"].get<std::string>();
    auto posted = app::post_listing(node, request);
    if (!posted.ok()) return refusal(posted.status());
    return json_response(200, listing_json(posted.value()));
  }

  // POST /v1/me/offers/withdraw: {"id"}.
  ApiResponse withdraw_listing(const ApiRequest& r, const PublicKey& identity) {
    auto body = body_of(r, "offers-withdraw-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    auto done = app::withdraw_listing(node, {to_hex(identity), std::get<json>(body)["id"].get<std::string>()});
    if (!done.ok()) return refusal(done.status());
    return json_response(200, listing_json(done.value()));
  }

  // POST /v1/me/alerts: {"on"?, "email"?}.
  ApiResponse set_alerts(const ApiRequest& r, const PublicKey& identity) {
    auto body = body_of(r, "alerts-request");
    if (auto* answer = std::get_if<ApiResponse>(&body)) return *answer;
    const json& b = std::get<json>(body);
    app::SetAlerts request;
    request.as = to_hex(identity);
    if (b.contains("on")) request.on = b["on"].get<bool>();
    if (b.contains("email")) request.email = b["email"].get<std::string>();
    auto done = app::set_alerts(node, request);
    if (!done.ok()) return refusal(done.status());
    return json_response(200, alerts_json(done.value()));
  }

  ApiResponse matches(const PublicKey& identity) {
    auto mine = app::my_matches(node, {to_hex(identity)});
    if (!mine.ok()) return refusal(mine.status());
    auto alerts = app::show_alerts(node, {to_hex(identity)});
    if (!alerts.ok()) return refusal(alerts.status());
    return json_response(200, matches_json(mine.value(), alerts.value()));
  }

  ApiResponse statement(const Target& t, const std::string& account, const PublicKey& viewer) {
    app::ShowStatement request{account, INT32_MIN, INT32_MAX, to_hex(viewer)};
    for (const auto& [name, value] : t.query) {
      auto day = parse_date(value);
      if ((name != "from" && name != "to") || !day)
        return ClientApi::error(400, "bad_request", "the statement takes from=YYYY-MM-DD and to=YYYY-MM-DD",
                                name);
      (name == "from" ? request.from_days : request.to_days) = *day;
    }
    auto statement = app::statement(node, request);
    if (!statement.ok()) return refusal(statement.status());
    auto alias = node.directory().find(fixed_from_hex<PublicKey>(account).value_or(PublicKey{}));
    return json_response(200, statement_json(statement.value(), alias ? alias->alias : account));
  }

  ApiResponse route(const ApiRequest& r) {
    Target t = split_target(r.target);
    if (!t.ok) return ClientApi::error(400, "bad_request", "the query is malformed", "query");
    const std::string& p = t.path;
    // Open to anyone.
    if (p == "/v1/health") return r.method == "GET" ? health() : not_allowed();
    if (p.rfind("/v1/schema/", 0) == 0) {
      if (r.method != "GET") return not_allowed();
      auto text = schema_text(p.substr(11));
      if (!text) return ClientApi::error(404, "not_found", "no schema " + p.substr(11));
      ApiResponse out;
      out.content_type = "application/schema+json";
      out.body = std::string(*text);
      return out;
    }
    if (p == "/v1/enrol") return r.method == "POST" ? enrol(r) : not_allowed();
    if (!known(p)) return ClientApi::error(404, "not_found", "no such path: " + p);

    // Signed by a member from here on.
    auto outcome =
        auth.authenticate(r, [this](const PublicKey& key) { return app::member_for_key(node, key).ok(); });
    switch (outcome.verdict) {
      case Authenticator::Verdict::ok:
        break;
      case Authenticator::Verdict::rate_limited:
        return with_retry(ClientApi::error(429, "rate_limited", "too many requests; wait a minute"));
      case Authenticator::Verdict::no_signature:
        return ClientApi::error(401, "unauthorised",
                                "sign the request: X-Cohours-Key, X-Cohours-Time and X-Cohours-Signature");
      case Authenticator::Verdict::stale:
        return ClientApi::error(401, "unauthorised",
                                "the request's time is more than 2 minutes from the node's clock; check the "
                                "phone's date and time");
      case Authenticator::Verdict::bad_signature:
        return ClientApi::error(401, "unauthorised", "the request's signature does not verify");
      case Authenticator::Verdict::replayed:
        return ClientApi::error(401, "unauthorised", "this request was already used; sign a new one");
      case Authenticator::Verdict::not_a_member: {
        // The signature verified, so whoever asks holds the key: a retired
        // one (member rekey) is told when it was replaced.
        auto why = app::member_for_key(node, outcome.key);
        return ClientApi::error(401, "unauthorised",
                                why.code() == Code::not_permitted ? why.status().message()
                                                                  : "this key is not a member of this co-op");
      }
    }
    // The key asking, and the member it signs for: their identity, which
    // differs from the key once a rekey gave them a new phone.
    const PublicKey& me = outcome.key;
    auto member = app::member_for_key(node, me);
    if (!member.ok()) return refusal(member.status());
    const PublicKey& identity = member->key;
    const app::ShowSelf self{me};
    auto answer = [](const auto& result, auto render) {
      if (!result.ok()) return refusal(result.status());
      return json_response(200, render(result.value()));
    };
    const bool get = r.method == "GET";
    if (p == "/v1/entries") return r.method == "POST" ? entries(r, me) : not_allowed();
    if (p == "/v1/receipts") return r.method == "POST" ? receipt(r, identity) : not_allowed();
    if (p == "/v1/thanks") return r.method == "POST" ? send_thanks(r, identity) : not_allowed();
    if (p == "/v1/thanks/erase") return r.method == "POST" ? erase_thanks(r, identity) : not_allowed();
    // Offers, requests and alert settings are directory data, not entries:
    // the signed request itself says who writes them.
    if (p == "/v1/me/offers/withdraw") return r.method == "POST" ? withdraw_listing(r, identity) : not_allowed();
    if (p == "/v1/me/offers" && r.method == "POST") return post_listing(r, identity);
    if (p == "/v1/me/alerts" && r.method == "POST") return set_alerts(r, identity);
    if (!get) return not_allowed();
    // `nonce` may ride on any request, only to make its signature unique (two
    // equal requests in one second would otherwise sign the same and the
    // second be refused as a replay).
    t.query.erase("nonce");
    if (!t.query.empty() && p != "/v1/me/statement" && !statement_path(p))
      return ClientApi::error(400, "bad_request", "this request takes no query", "query");
    if (p == "/v1/me") return answer(app::show_self(node, self), self_json);
    if (p == "/v1/me/statement") return statement(t, to_hex(identity), identity);
    if (p == "/v1/me/pending") return answer(app::pending_for(node, self), pending_json);
    if (p == "/v1/respite/open") return answer(app::respite_board(node, self), respite_json);
    if (p == "/v1/me/expenses") return answer(app::claims_of(node, self), claims_json);
    if (p == "/v1/me/thanks") return answer(app::list_thanks(node, {to_hex(identity)}), thanks_list_json);
    if (p == "/v1/members") return answer(app::show_coop(node, {}), coop_json);
    // The co-op's views: app says who may see them.
    if (p == "/v1/coop/balances") return answer(app::coop_balances(node, self), balances_json);
    if (p == "/v1/coop/pending") return answer(app::coop_pending(node, self), pending_json);
    if (p == "/v1/coop/expenses") return answer(app::coop_expenses(node, self), coop_claims_json);
    const std::string as = to_hex(identity);
    if (p == "/v1/offers") return answer(app::list_listings(node, {as, "", false}), listings_json);
    if (p == "/v1/me/offers") return answer(app::list_listings(node, {as, "", true}), listings_json);
    if (p == "/v1/me/matches") return matches(identity);
    if (p == "/v1/me/alerts") return answer(app::show_alerts(node, {as}), alerts_json);
    if (statement_path(p)) {
      // app::statement says who may see whose statement.
      const std::string alias = p.substr(12, p.size() - 12 - 10);
      auto key = app::member_key(node, alias);
      if (!key.ok()) return refusal(key.status());
      return statement(t, to_hex(key.value()), identity);
    }
    return ClientApi::error(404, "not_found", "no such path: " + p);
  }

  static bool statement_path(const std::string& p) {
    // /v1/members/ALIAS/statement
    return p.rfind("/v1/members/", 0) == 0 && p.size() > 22 &&
           p.compare(p.size() - 10, 10, "/statement") == 0;
  }
  static bool known(const std::string& p) {
    static const char* const paths[] = {"/v1/entries",       "/v1/receipts",     "/v1/me",
                                        "/v1/me/statement",  "/v1/me/pending",   "/v1/respite/open",
                                        "/v1/me/expenses",   "/v1/members",      "/v1/coop/balances",
                                        "/v1/coop/pending",  "/v1/coop/expenses", "/v1/thanks",
                                        "/v1/thanks/erase",  "/v1/me/thanks",     "/v1/offers",
                                        "/v1/me/offers",     "/v1/me/offers/withdraw", "/v1/me/matches",
                                        "/v1/me/alerts"};
    for (const char* path : paths)
      if (p == path) return true;
    return statement_path(p);
  }
  static ApiResponse not_allowed() {
    return ClientApi::error(405, "method_not_allowed", "this path does not take that method");
  }
  static ApiResponse with_retry(ApiResponse response) {
    response.headers.emplace_back("Retry-After", "60");
    return response;
  }
};

ClientApi::ClientApi(app::Node& node, ApiOptions options) : impl_(std::make_unique<Impl>(node, options)) {}
ClientApi::~ClientApi() = default;

ApiResponse ClientApi::handle(const ApiRequest& request) {
  ApiResponse response;
  try {
    if (request.method == "OPTIONS")
      response = preflight();
    else if (request.body.size() > body_limit(request.method, request.target))
      response = error(413, "too_large", "the body is over this request's limit");
    else if (request.method != "GET")
      response = impl_->route(request);
    else {
      // A read answers from one snapshot of the store, whatever commits while
      // it runs; it takes no lock a commit or a long control-socket command
      // holds (docs/api.md "Limits").
      const ReadSnapshot snapshot(impl_->node.store());
      response = impl_->route(request);
    }
  } catch (const std::exception& e) {
    response = error(500, "internal", std::string("the request failed: ") + e.what());
  }
  response.route = route_template(request.target);
  // Every answer carries the node's time, from the clock signed requests are
  // checked against: the phone learns its skew from it (docs/phone.md).
  response.headers.emplace_back("Date", format_http_date_ms(impl_->node.clock().now_ms()));
  // A phone app served by another co-op's node may call this one for a
  // membership here (docs/decisions.md "One key, several co-ops"). Every
  // request that reads or changes anything is signed by a member's key and
  // no cookie or other ambient credential exists, so any origin may call;
  // the phone reads Date (its clock skew) and Retry-After.
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  response.headers.emplace_back("Access-Control-Expose-Headers", "Date, Retry-After");
  return response;
}

std::string ClientApi::route_template(std::string_view target) {
  const std::string path(target.substr(0, target.find('?')));
  if (path == "/v1/health" || path == "/v1/enrol") return path;
  if (path.rfind("/v1/schema/", 0) == 0) return "/v1/schema/{name}";
  if (Impl::statement_path(path)) return "/v1/members/{alias}/statement";
  if (Impl::known(path)) return path;
  return "unknown";
}

ApiResponse ClientApi::preflight() {
  ApiResponse out;
  out.status = 204;
  out.content_type.clear();
  out.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST");
  out.headers.emplace_back("Access-Control-Allow-Headers",
                           "Content-Type, X-Cohours-Key, X-Cohours-Time, X-Cohours-Signature");
  out.headers.emplace_back("Access-Control-Max-Age", "600");
  return out;
}

std::size_t ClientApi::body_limit(std::string_view method, std::string_view target) {
  if (method == "GET") return 0;
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/v1/entries") return kMaxEntriesBody;
  if (path == "/v1/receipts") return kMaxReceiptBody;
  return kMaxJsonBody;
}

namespace {

// A refusal as the daemon's log shows it: text the client named, which
// messages quote in single quotes (an alias: "no member called 'x'"), is
// left out, so no name reaches the log.
std::string api_log_redacted(std::string_view message) {
  // A quote opens after a space, '(' or the start, and closes before
  // anything that is not a letter or a digit: "the request's" stays.
  auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; };
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char ch = message[i];
    if (ch == '\'' && !quoted && (i == 0 || message[i - 1] == ' ' || message[i - 1] == '(')) {
      quoted = true;
      out += "'...";
    } else if (ch == '\'' && quoted && (i + 1 == message.size() || !word(message[i + 1]))) {
      quoted = false;
      out += ch;
    } else if (!quoted) {
      out += ch;
    }
  }
  return out;
}

}  // namespace

ApiResponse ClientApi::error(int status, std::string_view code, std::string_view message,
                             std::string_view field) {
  json body = {{"error", code}, {"message", message}};
  if (!field.empty()) body["field"] = field;
  ApiResponse out = json_response(status, body);
  // A message about a field starts with the field's name, which the client
  // chose; every other message starts with fixed text up to its first ':'.
  const std::string_view fixed =
      field.empty() ? message.substr(0, std::min<std::size_t>(message.find(':'), 48)) : "a field of the body";
  out.refusal_kind = std::to_string(status) + " " + api_log_redacted(fixed);
  out.refusal = std::to_string(status) + " " + std::string(code) + ": " + api_log_redacted(message);
  return out;
}

std::optional<std::string_view> schema_text(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedSchemaCount; ++i)
    if (kEmbeddedSchemas[i].first == name) return kEmbeddedSchemas[i].second;
  return std::nullopt;
}

std::vector<std::string> schema_names() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kEmbeddedSchemaCount; ++i) out.emplace_back(kEmbeddedSchemas[i].first);
  return out;
}

}  // namespace cohours::api
