// Secret: bytes that must never reach a log, report, error text or console line (CHAP secrets,
// AWS secret access keys). It prints as "***" through every stream and formatting path; the bytes
// are reachable only through Reveal(), which only the wire encoders, SigV4 and CHAP code call.
// A plain value type: copy and compare freely; any thread.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace chapcheck {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string bytes) : bytes_(std::move(bytes)) {}

  // The bytes. Callers: the awsJson encoder, SigV4 signing and verification, CHAP. Nothing that
  // formats text for people.
  const std::string& Reveal() const { return bytes_; }

  bool empty() const { return bytes_.empty(); }
  std::size_t size() const { return bytes_.size(); }

  // Constant-time comparison (the length is not secret).
  bool Equals(const Secret& other) const {
    if (bytes_.size() != other.bytes_.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
      diff |= static_cast<unsigned char>(bytes_[i] ^ other.bytes_[i]);
    }
    return diff == 0;
  }
  bool operator==(const Secret& other) const { return Equals(other); }

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

 private:
  std::string bytes_;
};

}  // namespace chapcheck
