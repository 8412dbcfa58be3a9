// The JSON the API answers with (docs/api.md, schemas/api/): app results
// in, the documented shapes out. Plain words and dates, no internal codes.
#pragma once

#include <nlohmann/json.hpp>

#include "cohours/app/accounts.h"
#include "cohours/app/invitations.h"
#include "cohours/app/receipts.h"
#include "cohours/app/self_service.h"
#include "cohours/app/thanks.h"

namespace cohours::api {

nlohmann::json roles_json(std::uint32_t roles);
nlohmann::json self_json(const app::SelfView& self);
nlohmann::json enrolled_json(const app::Enrolled& enrolled, const app::SelfView& self);
nlohmann::json outcomes_json(const app::SubmitOutcomes& outcomes);
// `member` is the alias of the member whose statement it is.
nlohmann::json statement_json(const app::Statement& statement, const std::string& member);
nlohmann::json pending_json(const app::PendingFor& pending);
nlohmann::json respite_json(const app::RespiteBoard& board);
nlohmann::json claims_json(const app::ClaimList& claims);
// The co-op's claims: each as in claims_json, with the claimant's `member`.
nlohmann::json coop_claims_json(const app::ClaimList& claims);
nlohmann::json receipt_json(const app::ReceiptStored& stored);
nlohmann::json coop_json(const app::CoopView& coop);
nlohmann::json balances_json(const app::Balances& balances);
// Thank-yous (render_thanks.cpp).
nlohmann::json thank_you_json(const app::ThanksView& thanks);
nlohmann::json thanks_list_json(const app::ThanksList& list);

}  // namespace cohours::api
