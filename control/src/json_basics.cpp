#include "cohours/control/json_basics.h"

#include <vector>

namespace cohours {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::string base64_encode(const Bytes& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == bytes.size()) {
    const std::uint32_t n = bytes[i] << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const std::uint32_t n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const int pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (pad == 1 && text[i + 2] == '=') return std::nullopt;  // "x=y=" is not base64
    int v[4];
    for (int k = 0; k < 4 - pad; ++k)
      if ((v[k] = sextet(text[i + k])) < 0) return std::nullopt;
    for (int k = 4 - pad; k < 4; ++k) v[k] = 0;
    const std::uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<std::uint8_t>(n >> 16));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>(n >> 8));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(n));
  }
  return out;
}

std::optional<Code> code_from_name(const std::string& name) {
  // Codes are small consecutive values; code_name says "unknown" past the last.
  for (int value = 0; value < 256; ++value) {
    const std::string candidate = code_name(static_cast<Code>(value));
    if (candidate == "unknown") break;
    if (candidate == name) return static_cast<Code>(value);
  }
  return std::nullopt;
}

bool holds_fraction(const nlohmann::json& value) {
  std::vector<const nlohmann::json*> pending{&value};
  while (!pending.empty()) {
    const nlohmann::json* next = pending.back();
    pending.pop_back();
    if (next->is_number_float()) return true;
    if (next->is_structured())
      for (const auto& item : *next) pending.push_back(&item);
  }
  return false;
}

}  // namespace cohours

void nlohmann::adl_serializer<cohours::Bytes>::from_json(const json& j, cohours::Bytes& bytes) {
  auto decoded = j.is_string() ? cohours::base64_decode(j.get<std::string>()) : std::nullopt;
  if (!decoded) throw cohours::BadValue("expected bytes as base64");
  bytes = std::move(*decoded);
}
