// Why hand-drawn SVG and no assets: a board member may open the page from an
// email attachment, offline, years later, on a phone. Nothing here may load
// from elsewhere, and a Content-Security-Policy forbids it anyway, so even a
// missed escape could not run a script.
#include "report_html.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "output.h"
#include "report_json.h"

namespace cohours::cli {

namespace {

using nlohmann::json;
using Amount = std::optional<std::int64_t>;  // nullopt: absent from the report

std::string esc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Lookups that never throw: the report may come from an older or newer cohours.
const json& field(const json& object, const char* key) {
  static const json absent;
  if (!object.is_object()) return absent;
  auto it = object.find(key);
  return it == object.end() ? absent : *it;
}
Amount integer(const json& object, const char* key) {
  const json& value = field(object, key);
  if (value.is_number_unsigned()) {
    auto u = value.get<std::uint64_t>();
    return u > static_cast<std::uint64_t>(INT64_MAX) ? Amount{} : Amount{static_cast<std::int64_t>(u)};
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;  // a float is not a valid amount: time and money are integers
}
std::string text(const json& object, const char* key) {
  const json& value = field(object, key);
  return value.is_string() ? value.get<std::string>() : "";
}
const json& list(const json& object, const char* key) {
  static const json empty = json::array();
  const json& value = field(object, key);
  return value.is_array() ? value : empty;
}

// Saturating, so a hostile report cannot cause signed overflow.
std::int64_t add(std::int64_t a, std::int64_t b) {
  std::int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}
Amount sum_of(const json& items, const char* key) {
  std::int64_t total = 0;
  for (const json& item : items) total = add(total, integer(item, key).value_or(0));
  return total;
}

std::string minutes_text(Amount minutes) {
  return minutes ? format_minutes(*minutes) : "—";
}
std::string money_text(Amount pence, const std::string& currency) {
  if (!pence) return "—";
  std::string amount = format_pence(*pence);
  if (currency != "GBP") return amount + " " + currency;
  return amount[0] == '-' ? "-£" + amount.substr(1) : "£" + amount;
}

// "2026-11" -> "Nov 2026"; anything else is shown as given.
std::string month_label(const std::string& month) {
  static const char* names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  bool shaped = month.size() == 7 && month[4] == '-' && std::all_of(month.begin(), month.end(), [](char c) {
                  return c == '-' || (c >= '0' && c <= '9');
                });
  int number = shaped ? (month[5] - '0') * 10 + (month[6] - '0') : 0;
  return number >= 1 && number <= 12 ? std::string(names[number - 1]) + " " + month.substr(0, 4) : month;
}

// Labels inside a chart have a fixed column; the table beneath has the full text.
std::string shorten(const std::string& label, std::size_t max_chars) {
  std::size_t chars = 0, cut = 0;
  for (std::size_t i = 0; i < label.size(); ++i) {
    if ((static_cast<unsigned char>(label[i]) & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    if (chars == max_chars - 1) cut = i;
    if (++chars > max_chars) return label.substr(0, cut) + "…";
  }
  return label;
}

std::string humanise(std::string key) {
  std::replace(key.begin(), key.end(), '_', ' ');
  if (!key.empty() && key[0] >= 'a' && key[0] <= 'z') key[0] = static_cast<char>(key[0] - 'a' + 'A');
  return key;
}

// Bar length in whole SVG units. Halving both operands keeps value * length
// from overflowing; a small non-zero value still gets a visible bar.
int scale(std::int64_t value, std::int64_t max, int length) {
  if (value <= 0 || max <= 0) return 0;
  value = std::min(value, max);
  while (max > INT64_MAX / length) value /= 2, max /= 2;
  return std::max(1, static_cast<int>(value * length / max));
}

std::string num(std::int64_t n) {
  return std::to_string(n);
}

struct Row {  // one category or month in a chart, up to three series
  std::string label;
  std::vector<std::int64_t> values;
};
using Format = std::function<std::string(std::int64_t)>;

// role="img" plus a <title>: screen readers announce the chart, then the table.
void svg_open(std::string& out, const std::string& id, int width, int height, const std::string& label) {
  out += "<svg id=\"" + id + "\" role=\"img\" aria-label=\"" + esc(label) + "\" viewBox=\"0 0 " + num(width) +
         " " + num(height) + "\" width=\"" + num(width) + "\" height=\"" + num(height) + "\"><title>" +
         esc(label) + "</title>";
}

bool has_data(const std::vector<Row>& rows) {
  for (const Row& row : rows)
    for (std::int64_t v : row.values)
      if (v > 0) return true;
  return false;
}

// The id stays in the page even without data, so links and tests find it.
void no_data_chart(std::string& out, const std::string& id, const std::string& label) {
  svg_open(out, id, 400, 48, label + ": no data in this period");
  out +=
      "<text class=\"nodata\" x=\"200\" y=\"29\" text-anchor=\"middle\">No data in this period</text></svg>";
}

void bar(std::string& out, int x, int y, int width, int height, int series, const std::string& tooltip) {
  out += "<rect class=\"bar s" + num(series) + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" +
         num(width) + "\" height=\"" + num(height) + "\"><title>" + esc(tooltip) + "</title></rect>";
}

void column_chart(std::string& out, const std::string& id, const std::string& label,
                  const std::vector<Row>& rows, const Format& format) {
  if (!has_data(rows)) return no_data_chart(out, id, label);
  const int n = static_cast<int>(rows.size()), top = 22, plot = 160, side = 8;
  const int slot = std::max(24, (400 - 2 * side) / n);
  const int width = n * slot + 2 * side;
  const bool narrow = slot < 64;  // no room for values above bars: rotate labels, rely on the table
  const int height = top + plot + (narrow ? 60 : 26), base = top + plot;
  std::int64_t max = 0;
  for (const Row& row : rows) max = std::max(max, row.values[0]);
  svg_open(out, id, width, height, label);
  for (int i = 0; i < n; ++i) {
    const int bar_width = std::min(slot * 2 / 3, 64), x = side + i * slot + (slot - bar_width) / 2,
              mid = x + bar_width / 2, h = scale(rows[i].values[0], max, plot);
    const std::string value = format(rows[i].values[0]);
    if (h > 0) bar(out, x, base - h, bar_width, h, 0, rows[i].label + ": " + value);
    if (!narrow)
      out += "<text x=\"" + num(mid) + "\" y=\"" + num(base - h - 6) + "\" text-anchor=\"middle\">" +
             esc(value) + "</text><text x=\"" + num(mid) + "\" y=\"" + num(base + 18) +
             "\" text-anchor=\"middle\">" + esc(shorten(rows[i].label, 10)) + "</text>";
    else
      out += "<text x=\"" + num(mid) + "\" y=\"" + num(base + 14) +
             "\" text-anchor=\"end\" transform=\"rotate(-45 " + num(mid) + " " + num(base + 14) + ")\">" +
             esc(shorten(rows[i].label, 10)) + "</text>";
  }
  out += "<line class=\"axis\" x1=\"" + num(side) + "\" x2=\"" + num(width - side) + "\" y1=\"" + num(base) +
         "\" y2=\"" + num(base) + "\"/></svg>";
}

// Horizontal bars, one group per row and one bar per series: long category
// names fit on a phone, and values sit at the end of each bar.
void bar_chart(std::string& out, const std::string& id, const std::string& label,
               const std::vector<Row>& rows, const std::vector<std::string>& series, const Format& format) {
  if (!has_data(rows)) return no_data_chart(out, id, label);
  const int k = static_cast<int>(series.size()), label_width = 108, room = 400 - label_width - 84;
  const int top = k > 1 ? 26 : 4, bar_height = k > 1 ? 12 : 18, group = k * (bar_height + 3) + 11;
  const int height = top + static_cast<int>(rows.size()) * group + 4;
  std::int64_t max = 0;
  for (const Row& row : rows)
    for (std::int64_t v : row.values) max = std::max(max, v);
  svg_open(out, id, 400, height, label);
  for (int s = 0; k > 1 && s < k; ++s)  // legend
    out += "<rect class=\"swatch s" + num(s) + "\" x=\"" + num(label_width + s * 92) +
           "\" y=\"4\" width=\"12\" " + "height=\"12\"/><text x=\"" + num(label_width + s * 92 + 16) +
           "\" y=\"15\">" + esc(series[s]) + "</text>";
  for (std::size_t g = 0; g < rows.size(); ++g) {
    const int y0 = top + static_cast<int>(g) * group + 6;
    out += "<text x=\"" + num(label_width - 8) + "\" y=\"" + num(y0 + (group - 11) / 2 + 4) +
           "\" text-anchor=\"end\">" + esc(shorten(rows[g].label, 14)) + "</text>";
    for (int s = 0; s < k; ++s) {
      const int y = y0 + s * (bar_height + 3), w = scale(rows[g].values[s], max, room);
      const std::string value = format(rows[g].values[s]);
      if (w > 0) bar(out, label_width, y, w, bar_height, s, rows[g].label + ", " + series[s] + ": " + value);
      out += "<text class=\"val\" x=\"" + num(label_width + w + 4) + "\" y=\"" + num(y + bar_height - 2) +
             "\">" + esc(value) + "</text>";
    }
  }
  out += "<line class=\"axis\" x1=\"" + num(label_width) + "\" x2=\"" + num(label_width) + "\" y1=\"" +
         num(top) + "\" y2=\"" + num(height - 4) + "\"/></svg>";
}

struct Cell {
  std::string text;  // plain text, escaped when written
  const char* css = "";
  Cell(std::string t, const char* c = "") : text(std::move(t)), css(c) {}
  Cell(const char* t, const char* c = "") : text(t), css(c) {}
};

void table(std::string& out, const std::string& caption, const std::vector<Cell>& header,
           const std::vector<std::vector<Cell>>& rows, const std::vector<Cell>& footer = {}) {
  auto line = [&out](const std::vector<Cell>& cells, const char* tag) {
    out += "<tr>";
    for (const Cell& c : cells)
      out += std::string("<") + tag + (*c.css ? std::string(" class=\"") + c.css + "\"" : "") + ">" +
             esc(c.text) + "</" + tag + ">";
    out += "</tr>";
  };
  out += "<div class=\"scroll\"><table><caption>" + esc(caption) + "</caption><thead>";
  line(header, "th");
  out += "</thead><tbody>";
  for (const auto& row : rows) line(row, "td");
  out += "</tbody>";
  if (!footer.empty()) {
    out += "<tfoot>";
    line(footer, "th");
    out += "</tfoot>";
  }
  out += "</table></div>";
}

// The board must know what each number means, so a definition is printed
// next to each figure it defines; any left over are listed at the end.
class Definitions {
 public:
  explicit Definitions(const json& report) : all_(field(report, "definitions")) {}
  std::string beside(const char* key) {
    std::string value = text(all_, key);
    if (value.empty()) return "";
    used_.insert(key);
    return "<p class=\"def\"><span>What this counts:</span> " + esc(value) + "</p>";
  }
  std::string rest() const {
    std::string out;
    if (!all_.is_object()) return out;
    for (const auto& [key, value] : all_.items())
      if (value.is_string() && !used_.count(key))
        out += "<dt>" + esc(humanise(key)) + "</dt><dd>" + esc(value.get<std::string>()) + "</dd>";
    return out.empty() ? out
                       : "<section><h2>Other definitions</h2><dl class=\"defs\">" + out + "</dl></section>";
  }

 private:
  const json& all_;
  std::set<std::string> used_;
};

std::string card(const std::string& title, const std::string& value_html, const std::string& definition,
                 bool wide = false) {
  return std::string("<div class=\"card") + (wide ? " wide" : "") + "\"><h3>" + esc(title) + "</h3>" +
         value_html + definition + "</div>";
}
std::string big(const std::string& value) {
  return "<p class=\"value\">" + esc(value) + "</p>";
}
std::string pairs(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out = "<dl class=\"pairs\">";
  for (const auto& [name, value] : items)
    out += "<div><dt>" + esc(name) + "</dt><dd>" + esc(value) + "</dd></div>";
  return out + "</dl>";
}
std::string count_text(Amount n) {
  return n ? num(*n) : "—";
}

// The social value section: each figure on a card with its method beside
// it, the rate with its source and date, and the statement that the value
// is an estimate. Without a rate it says how to set one instead of a zero.
std::string social_value_html(const json& s, const std::string& currency, Definitions& defs) {
  if (!s.is_object()) return "";
  std::string out = "<section id=\"social-value\"><h2>Social value</h2><p class=\"estimate\"><strong>" +
                    esc(text(s, "estimate_statement")) + "</strong></p><div class=\"cards\">";
  const json& rate = field(field(s, "rate"), "value");
  defs.beside("social_value_rate");  // shown beside the rate below, not again at the end
  auto method = [](const json& figure) {
    const std::string how = text(figure, "method");
    return how.empty() ? std::string() : "<p class=\"def\"><span>How it is counted:</span> " + esc(how) + "</p>";
  };
  if (rate.is_object()) {
    out += card("Replacement rate",
                big(money_text(integer(rate, "pence_per_hour"), currency) + " an hour") +
                    pairs({{"Source", text(rate, "source")}, {"Dated", text(rate, "date")}, {"Set by", text(rate, "set_by")}}),
                method(field(s, "rate")), true);
  } else {
    out += card("Replacement rate", "<p>Not set. " + esc(text(s, "no_rate")) + "</p>", method(field(s, "rate")), true);
  }
  for (const char* key : {"social_value_hours", "social_value_estimate", "social_value_respite",
                          "social_value_people_helped", "social_value_new_volunteers", "social_value_retention",
                          "social_value_days_to_first_exchange"})
    defs.beside(key);  // each method is printed beside its figure here
  const json& estimate = field(s, "estimate");
  out += card("Estimated value",
              big(integer(estimate, "pence") ? money_text(integer(estimate, "pence"), currency) : "not valued") +
                  (rate.is_object() ? "<p>at " + esc(money_text(integer(rate, "pence_per_hour"), currency)) +
                                          " an hour, " + esc(text(rate, "source")) + ", " + esc(text(rate, "date")) +
                                          "</p>"
                                    : std::string("<p>no replacement rate is set</p>")),
              method(estimate), true);
  const json& hours = field(s, "hours");
  out += card("Hours of help valued", big(minutes_text(integer(hours, "minutes"))), method(hours));
  const json& respite = field(s, "respite");
  out += card("Respite for carers",
              pairs({{"Hours", minutes_text(integer(respite, "minutes"))}, {"Carers", count_text(integer(respite, "carers"))}}),
              method(respite));
  const json& helped = field(s, "people_helped");
  out += card("People helped", big(count_text(integer(helped, "count"))), method(helped));
  const json& joined = field(s, "new_volunteers");
  out += card("New volunteers", big(count_text(integer(joined, "count"))), method(joined));
  const json& kept = field(s, "retention");
  out += card("Active after three months",
              pairs({{"Stayed active", count_text(integer(kept, "stayed_active"))},
                     {"Not active", count_text(integer(kept, "not_active"))},
                     {"Too early to tell", count_text(integer(kept, "too_early_to_tell"))}}),
              method(kept), true);
  const json& first = field(s, "days_to_first_exchange");
  out += card("Days from joining to a first exchange",
              pairs({{"Median (days)", integer(first, "median_days") ? num(*integer(first, "median_days")) : "none yet"},
                     {"With one", count_text(integer(first, "with_first_exchange"))},
                     {"None yet", count_text(integer(first, "none_yet"))}}),
              method(first), true);
  return out + "</div></section>";
}

constexpr const char* kStyle = R"(
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,"Liberation Sans",Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;padding:1rem;max-width:56rem}
h1{font-size:1.45rem;margin:0 0 .2rem}
h2{font-size:1.15rem;margin:0 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid #0072b2}
h3{font-size:.9rem;margin:0;color:#333}
section{margin:1.6rem 0}
.period{margin:0;color:#444}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(10rem,1fr));gap:.7rem}
.card{border:1px solid #c8cfd8;border-radius:6px;padding:.6rem .75rem}
.card.wide{grid-column:1/-1}
.value{font-size:1.5rem;font-weight:700;margin:.1rem 0}
.def{font-size:.85rem;color:#444;margin:.35rem 0 0}
.estimate{border-left:4px solid #e69f00;padding:.3rem .6rem;margin:.3rem 0 .7rem}
.def span{font-weight:600}
.pairs{display:grid;grid-template-columns:repeat(auto-fit,minmax(7.5rem,1fr));gap:.4rem;margin:.3rem 0}
.pairs dt{font-size:.8rem;color:#444}
.pairs dd{margin:0;font-weight:700;font-size:1.1rem}
figure{margin:.6rem 0}
svg{display:block;width:100%;max-width:34rem;height:auto}
svg text{font-size:13px;fill:#1a1a1a}
svg .val{font-size:12px}
.s0{fill:#0072b2}.s1{fill:#009e73}.s2{fill:#e69f00}
.axis{stroke:#555;stroke-width:1}
.nodata{fill:#555;font-style:italic}
.scroll{overflow-x:auto}
table{border-collapse:collapse;min-width:100%;font-size:.9rem}
caption{text-align:left;font-size:.85rem;color:#444;padding:.2rem 0}
th,td{padding:.3rem .5rem;border-bottom:1px solid #dde2e8;text-align:left;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums}
.id{font-family:monospace;font-size:.75rem;white-space:normal;word-break:break-all;min-width:12rem}
.unusual li{margin:.4rem 0}
.unusual .id{display:block;color:#555}
.defs dt{font-weight:600}.defs dd{margin:0 0 .5rem}
footer{font-size:.85rem;color:#444;border-top:1px solid #c8cfd8;padding-top:.5rem}
@media print{
 body{max-width:none;padding:0;font-size:11pt}
 section,figure,.card,tr{break-inside:avoid;page-break-inside:avoid}
 h2{break-after:avoid;page-break-after:avoid}
 .scroll{overflow:visible}
 th,td{white-space:normal}
 svg{max-width:15cm}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)";

}  // namespace

std::string render_report_html(const nlohmann::json& report) {
  Definitions defs(report);
  const std::string coop = text(report, "coop").empty() ? "Co-op" : text(report, "coop");
  const std::string from = text(report, "from"), to = text(report, "to");
  const std::string period = from.empty() && to.empty() ? "period not given" : from + " to " + to;
  const json& people = field(report, "people");
  const json& pool = field(report, "pool");
  const json& totals = field(report, "expenses_totals");
  const std::string currency = text(totals, "currency").empty() ? "GBP" : text(totals, "currency");
  const Format minutes = [](std::int64_t m) { return format_minutes(m); };

  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">"
      "<title>" +
      esc(coop + " — report " + period) + "</title><style>" + kStyle + "</style></head><body><header><h1>" +
      esc(coop) + "</h1><p class=\"period\">Period report, " + esc(period) + "</p></header>";

  // Key figures. Total hours come from the month list (every confirmed hour
  // has a month); the category list is the fallback.
  const json& by_month = list(report, "hours_by_month");
  const json& by_category = list(report, "hours_by_category");
  Amount hours_total = field(report, "hours_by_month").is_array()      ? sum_of(by_month, "minutes")
                       : field(report, "hours_by_category").is_array() ? sum_of(by_category, "minutes")
                                                                       : Amount{};
  out += "<section id=\"key-figures\"><h2>Key figures</h2><div class=\"cards\">";
  out += card("Hours given", big(minutes_text(hours_total)), defs.beside("hours_by_month"));
  out += card("Active volunteers", big(count_text(integer(people, "active_volunteers"))),
              defs.beside("active_volunteers"));
  out +=
      card("Active carers", big(count_text(integer(people, "active_carers"))), defs.beside("active_carers"));
  out += card("Respite hours", big(minutes_text(integer(report, "respite_minutes"))),
              defs.beside("respite_minutes"));
  out += card("Pool flow (hours)",
              pairs({{"Opening balance", minutes_text(integer(pool, "opening_minutes"))},
                     {"Paid out", minutes_text(integer(pool, "paid_out_minutes"))},
                     {"Received", minutes_text(integer(pool, "received_minutes"))},
                     {"Closing balance", minutes_text(integer(pool, "closing_minutes"))}}),
              defs.beside("pool"), true);
  const json& group = field(report, "group_sessions");
  if (group.is_object())
    out += card("Group sessions",
                pairs({{"Sessions", count_text(integer(group, "sessions"))},
                       {"Volunteers", count_text(integer(group, "volunteers"))},
                       {"Volunteer hours", minutes_text(integer(group, "volunteer_minutes"))},
                       {"Members helped", count_text(integer(group, "members_helped"))},
                       {"Places", count_text(integer(group, "places"))}}),
                defs.beside("group_sessions"), true);
  std::string expense_def = defs.beside("expenses_totals");
  if (expense_def.empty()) expense_def = defs.beside("expenses_by_category");
  out += card("Expenses (cash, " + currency + ")",
              pairs({{"Claims", count_text(integer(totals, "count"))},
                     {"Claimed", money_text(integer(totals, "claimed_pence"), currency)},
                     {"Approved", money_text(integer(totals, "approved_pence"), currency)},
                     {"Rejected", money_text(integer(totals, "rejected_pence"), currency)},
                     {"Paid", money_text(integer(totals, "paid_pence"), currency)}}),
              expense_def, true);
  out += "</div></section>";

  out += social_value_html(field(report, "social_value"), currency, defs);

  // Hours per month.
  std::vector<Row> rows;
  std::vector<std::vector<Cell>> cells;
  for (const json& item : by_month) {
    Amount m = integer(item, "minutes");
    rows.push_back({month_label(text(item, "month")), {m.value_or(0)}});
    cells.push_back({rows.back().label, Cell(minutes_text(m), "num")});
  }
  out += "<section id=\"hours-month\"><h2>Hours per month</h2>" + defs.beside("hours_by_month") + "<figure>";
  column_chart(out, "chart-hours-month", "Bar chart of confirmed hours per month", rows, minutes);
  if (!rows.empty())
    table(out, "Hours per month (data of the chart)", {"Month", Cell("Hours", "num")}, cells);
  out += "</figure></section>";

  // Hours by category.
  rows.clear(), cells.clear();
  for (const json& item : by_category) {
    Amount m = integer(item, "minutes");
    rows.push_back({text(item, "category"), {m.value_or(0)}});
    cells.push_back({rows.back().label, Cell(minutes_text(m), "num")});
  }
  out += "<section id=\"hours-category\"><h2>Hours by category</h2>" + defs.beside("hours_by_category") +
         "<figure>";
  bar_chart(out, "chart-hours-category", "Horizontal bar chart of confirmed hours by category", rows,
            {"Hours"}, minutes);
  if (!rows.empty())
    table(out, "Hours by category (data of the chart)", {"Category", Cell("Hours", "num")}, cells);
  out += "</figure></section>";

  // Expenses by category: claimed, approved and paid side by side.
  rows.clear(), cells.clear();
  for (const json& item : list(report, "expenses_by_category")) {
    const std::string code = text(item, "currency").empty() ? currency : text(item, "currency");
    Amount claimed = integer(item, "claimed_pence"), approved = integer(item, "approved_pence"),
           paid = integer(item, "paid_pence");
    rows.push_back({text(item, "category"), {claimed.value_or(0), approved.value_or(0), paid.value_or(0)}});
    cells.push_back({rows.back().label, Cell(count_text(integer(item, "count")), "num"),
                     Cell(money_text(claimed, code), "num"), Cell(money_text(approved, code), "num"),
                     Cell(money_text(integer(item, "rejected_pence"), code), "num"),
                     Cell(money_text(paid, code), "num")});
  }
  out += "<section id=\"expenses-category\"><h2>Expenses by category</h2>" +
         defs.beside("expenses_by_category") + "<figure>";
  bar_chart(out, "chart-expenses-category",
            "Grouped bar chart of expenses claimed, approved and paid by category, in " + currency, rows,
            {"Claimed", "Approved", "Paid"}, [&currency](std::int64_t p) { return money_text(p, currency); });
  if (!rows.empty())
    table(out, "Expenses by category (data of the chart)",
          {"Category", Cell("Claims", "num"), Cell("Claimed", "num"), Cell("Approved", "num"),
           Cell("Rejected", "num"), Cell("Paid", "num")},
          cells,
          {"Total", Cell(count_text(integer(totals, "count")), "num"),
           Cell(money_text(integer(totals, "claimed_pence"), currency), "num"),
           Cell(money_text(integer(totals, "approved_pence"), currency), "num"),
           Cell(money_text(integer(totals, "rejected_pence"), currency), "num"),
           Cell(money_text(integer(totals, "paid_pence"), currency), "num")});
  out += "</figure></section>";

  // Hours per person: a table only; a chart of people would invite ranking them.
  cells.clear();
  for (const json& item : list(people, "hours_per_person"))
    cells.push_back({text(item, "member"), Cell(minutes_text(integer(item, "minutes")), "num")});
  out += "<section id=\"hours-person\"><h2>Hours per person</h2>" + defs.beside("hours_per_person");
  if (cells.empty())
    out += "<p>No data in this period</p>";
  else
    table(out, "Confirmed hours given, per member", {"Member", Cell("Hours", "num")}, cells);
  out += "</section>";

  // The day an item was recorded, shown only where it is not the day it counts.
  auto recorded = [](const json& item, const char* counts) {
    const std::string day = text(item, "recorded");
    return day == text(item, counts) ? std::string() : day;
  };

  // Pending hours older than 14 days.
  cells.clear();
  for (const json& item : list(report, "pending_over_14_days"))
    cells.push_back({text(item, "date"), recorded(item, "date"), text(item, "provider"),
                     text(item, "recipient"), Cell(minutes_text(integer(item, "minutes")), "num"),
                     Cell(count_text(integer(item, "age_days")), "num"), Cell(text(item, "id"), "id")});
  out += "<section id=\"pending\"><h2>Pending over 14 days</h2>" + defs.beside("pending_over_14_days");
  if (cells.empty())
    out += "<p>None in this period.</p>";
  else
    table(out, "Hours still waiting for confirmation",
          {"Date", "Recorded", "Given by", "Given to", Cell("Hours", "num"), Cell("Age (days)", "num"),
           "Entry id"},
          cells);
  out += "</section>";

  // Payments made in the period, by the day the money was paid.
  cells.clear();
  for (const json& item : list(report, "payments"))
    cells.push_back({text(item, "paid"), recorded(item, "paid"), text(item, "member"), text(item, "category"),
                     Cell(money_text(integer(item, "pence"), currency), "num"),
                     Cell(text(item, "claim"), "id")});
  out += "<section id=\"payments\"><h2>Payments made</h2>" + defs.beside("payments");
  if (cells.empty())
    out += "<p>None in this period.</p>";
  else
    table(out, "Expenses paid in the period",
          {"Paid", "Recorded", "Member", "Category", Cell("Amount", "num"), "Claim"}, cells);
  out += "</section>";

  // Unusual items: for a person to look at, not necessarily wrong.
  out += "<section id=\"unusual\"><h2>Unusual items</h2>" + defs.beside("unusual");
  const json& unusual = list(report, "unusual");
  if (unusual.empty())
    out += "<p>None in this period.</p>";
  else {
    out += "<ul class=\"unusual\">";
    for (const json& item : unusual) {
      out +=
          "<li><strong>" + esc(humanise(text(item, "kind"))) + ":</strong> " + esc(text(item, "description"));
      if (!text(item, "id").empty()) out += "<span class=\"id\">entry " + esc(text(item, "id")) + "</span>";
      out += "</li>";
    }
    out += "</ul>";
  }
  out += "</section>";

  // Safeguarding: checks to renew before volunteers are refused.
  out += "<section id=\"vettings\"><h2>Safeguarding checks running out</h2>" + defs.beside("vettings_expiring");
  const json& expiring = list(report, "vettings_expiring");
  if (expiring.empty()) {
    out += "<p>None within 30 days of the period's end.</p>";
  } else {
    std::vector<std::vector<Cell>> rows;
    for (const json& item : expiring)
      rows.push_back({text(item, "expires"), text(item, "volunteer"), text(item, "kind"),
                      Cell(std::to_string(item.value("days_left", 0)), "num")});
    table(out, "Safeguarding checks running out", {"Expires", "Volunteer", "Check", Cell("Days left", "num")},
          rows);
  }
  out += "</section>" + defs.rest();

  out += "<footer><p>Hours are time credits, not cash; expenses are cash in " + esc(currency) +
         ". cohours never converts one into the other.";
  if (!text(report, "generated").empty()) out += " Generated " + esc(text(report, "generated")) + ".";
  return out + "</p></footer></body></html>\n";
}

std::string render_report_html(const app::PeriodReport& report) {
  return render_report_html(report_json(report));
}

}  // namespace cohours::cli
