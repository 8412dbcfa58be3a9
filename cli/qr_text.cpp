#include "qr_text.h"

#include <qrencode.h>

#include <memory>

namespace cohours::cli {

std::optional<std::string> qr_text(const std::string& data) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString8bit(data.c_str(), 0, QR_ECLEVEL_M),
                                                       &QRcode_free);
  if (!code) return std::nullopt;
  const int width = code->width, quiet = 2;
  // A module is dark when bit 0 of its byte is set (qrencode.h).
  auto dark = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= width || y >= width) return false;
    return (code->data[y * width + x] & 1) != 0;
  };
  // Black on an explicitly white background: on a dark terminal the
  // default colours would invert the code, which not every phone reads.
  std::string out;
  for (int y = -quiet; y < width + quiet; y += 2) {
    out += "\x1b[30;47m";  // black on white
    for (int x = -quiet; x < width + quiet; ++x) {
      const bool top = dark(x, y), bottom = dark(x, y + 1);
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\x1b[0m\n";
  }
  return out;
}

}  // namespace cohours::cli
