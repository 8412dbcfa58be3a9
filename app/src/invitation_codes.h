// One-time enrolment codes (invitations.h, rekey.h): made here, kept in the
// directory only as their digest, so reading the store gives no code away.
#pragma once

#include <mutex>
#include <string>

#include "cohours/types.h"

namespace cohours::app {

// A fresh code, XXXX-XXXX-XXXX, from the unambiguous alphabet of
// normalise_code.
std::string new_invitation_code();
// The digest a code is kept under, of its normalised form.
Hash32 invitation_code_digest(const std::string& normalised);

// Held while a code is checked and spent (enrolment) or codes are withdrawn
// and made (member rekey), so a code is never used while it is withdrawn.
std::mutex& invitation_mutex();

}  // namespace cohours::app
