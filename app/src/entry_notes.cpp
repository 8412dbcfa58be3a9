#include "entry_notes.h"

namespace cohours::app {

std::vector<Hash32> note_digests(const EntryBody& body) {
  return std::visit(
      [](const auto& b) -> std::vector<Hash32> {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, HoursLog> || std::is_same_v<T, RespiteRequest> ||
                      std::is_same_v<T, ExpenseClaim> || std::is_same_v<T, GroupHours>)
          return {b.note_digest};
        else if constexpr (std::is_same_v<T, Transfer> || std::is_same_v<T, TransferOut>)
          return {b.memo_digest};
        else if constexpr (std::is_same_v<T, RemoteHoursLog>)
          return {b.hours.note_digest};
        else if constexpr (std::is_same_v<T, HoursVoid> || std::is_same_v<T, Reversal> ||
                           std::is_same_v<T, ExpenseApprove> || std::is_same_v<T, ExpenseReject>)
          return {b.reason_digest};
        else if constexpr (std::is_same_v<T, ExpensePaid>)
          return {b.reference_digest};
        else if constexpr (std::is_same_v<T, VettingRecord>)
          return {b.certificate_digest};
        else if constexpr (std::is_same_v<T, VettingWithdraw>)
          return {b.reason_digest};
        else
          return {};
      },
      body);
}

}  // namespace cohours::app
