// Free text typed by people (a co-op's name, contact details, notes): its
// length in characters, as they count it, and whether it is UTF-8 at all.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace cohours {

// The number of characters (Unicode code points) in `text`, or nothing if
// it is not well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF).
std::optional<std::size_t> utf8_characters(std::string_view text);

}  // namespace cohours
