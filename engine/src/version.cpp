#include "cohours/version.h"

#include "cohours/entry.h"
#include "state.h"

namespace cohours {

std::string version_text() {
  return std::string(COHOURS_VERSION) + " (entry format " + std::to_string(kEntryFormatVersion) +
         ", store format " + std::string(kStoreFormat) + ")";
}

std::string store_format() {
  return std::string(kStoreFormat);
}

}  // namespace cohours
