// The period report (app/reports.h) as `audit report --json` prints it: one
// JSON object, amounts as integers (minutes, pence), dates as YYYY-MM-DD,
// every definition under "definitions". The table, the CSV files and the
// HTML page are rendered from it, so all four say the same.
#pragma once

#include <nlohmann/json.hpp>

#include "cohours/app/reports.h"

namespace cohours::cli {

nlohmann::json report_json(const app::PeriodReport& report);

}  // namespace cohours::cli
