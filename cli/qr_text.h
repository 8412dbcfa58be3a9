// A QR code drawn in a terminal with Unicode half blocks (two rows of
// modules per line), dark on light whatever the terminal's colours, with
// the quiet zone scanners need. libqrencode makes the code.
#pragma once

#include <optional>
#include <string>

namespace cohours::cli {

// nullopt if the text cannot be encoded (too long for a QR code).
std::optional<std::string> qr_text(const std::string& data);

}  // namespace cohours::cli
