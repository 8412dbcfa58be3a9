#include "cohours/app/import_outcome.h"

namespace cohours::app {

const char* row_outcome_name(RowOutcome outcome) {
  switch (outcome) {
    case RowOutcome::added: return "added";
    case RowOutcome::already_imported: return "already imported";
    case RowOutcome::would_add: return "would be added";
    case RowOutcome::held_back: return "not stored";
    case RowOutcome::refused: return "refused";
  }
  return "?";
}

}  // namespace cohours::app
