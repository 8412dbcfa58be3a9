// The period report for boards and councils, built once as JSON; the table,
// CSV files and HTML page are renderings of it. Every figure has its
// definition beside it (DOMAIN.md: figures without definitions cause disputes).
#pragma once

#include <nlohmann/json.hpp>

#include "session.h"

namespace cohours::cli {

nlohmann::json build_period_report(Session& session, std::int32_t from_days, std::int32_t to_days);

}  // namespace cohours::cli
