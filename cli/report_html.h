// The period report (`cohours audit report --html FILE`) as one
// self-contained HTML page for a co-op's board or council: key figures with
// their definitions, three inline-SVG charts each with a data table beneath,
// pending hours and unusual items. Readable on a phone and when printed.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "cohours/app/reports.h"

namespace cohours::cli {

// Renders `report` (the shape of `audit report --json`, see
// tests/fixtures/report_month.json) as an HTML5 page. It takes the JSON
// document, not only the struct, so that a report saved with --json (by
// this cohours, an older or a newer one) renders too. The page loads nothing:
// no scripts, fonts, images or links to other sites. Every string taken from
// the report is HTML-escaped, since aliases and descriptions come from
// members. Missing keys, wrong types and empty lists are shown as "—" or
// "No data in this period"; it never throws on odd input. Pure function.
std::string render_report_html(const nlohmann::json& report);
// The same page for a report as the use case returns it (report_json.h).
std::string render_report_html(const app::PeriodReport& report);

}  // namespace cohours::cli
