#include "cohours/net/channel.h"

#include <algorithm>
#include <string>

namespace cohours::net {

SecureChannel::SecureChannel(const KxSessionKeys& keys)
    : push_(std::make_unique<SecretStreamPush>(keys.tx)), rx_key_(keys.rx) {}

SecureChannel::~SecureChannel() {
  secure_wipe(rx_key_.bytes);
}

Bytes SecureChannel::header() const {
  return Bytes(push_->header().bytes.begin(), push_->header().bytes.end());
}

Status SecureChannel::receive_header(std::span<const std::uint8_t> frame) {
  if (pull_ != nullptr) return {Code::wrong_state, "the peer's stream header was already received"};
  if (frame.size() != kSecretStreamHeaderBytes)
    return {Code::malformed, "peer's stream header is " + std::to_string(frame.size()) + " bytes, expected " +
                                 std::to_string(kSecretStreamHeaderBytes)};
  SecretStreamHeader header;
  std::copy(frame.begin(), frame.end(), header.bytes.begin());
  pull_ = std::make_unique<SecretStreamPull>(rx_key_, header);
  // The pull state now holds what it needs of the key.
  secure_wipe(rx_key_.bytes);
  return Status::success();
}

Bytes SecureChannel::seal(std::span<const std::uint8_t> plaintext) {
  return push_->push(plaintext);
}

Result<Bytes> SecureChannel::open(std::span<const std::uint8_t> payload) {
  if (pull_ == nullptr) return Status(Code::wrong_state, "peer sent a message before its stream header");
  if (poisoned_) return Status(Code::wrong_state, "the channel already failed to authenticate a message");
  auto plaintext = pull_->pull(payload);
  if (!plaintext) {
    poisoned_ = true;
    return Status(Code::bad_signature,
                  "a message from the peer does not authenticate (altered, replayed or out of order)");
  }
  return std::move(*plaintext);
}

}  // namespace cohours::net
