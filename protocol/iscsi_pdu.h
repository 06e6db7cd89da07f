// iSCSI PDUs (RFC 7143 section 11): the 48-byte Basic Header Segment, additional header segments,
// and the data segment padded to 4 bytes, for both sides of a connection (the mock's portal and
// test initiators). Header and data digests are never negotiated by this project (None), so no
// CRC32C is read or written. Also the text format of Login and Text data segments
// (key=value\0 ... with bounded sizes) and iSCSI's numerical values (decimal, 0x hex).
//
// Pdu is a plain value: the raw BHS plus typed accessors for the fields the project uses
// (big-endian on the wire). PduReader cuts a byte stream into PDUs; malformed or oversized input
// is an error value, never a crash. Everything here is pure and thread-compatible (one object,
// one thread at a time).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace chapcheck::iscsi {

inline constexpr std::size_t kBhsSize = 48;
inline constexpr std::uint32_t kReservedTag = 0xffffffff;  // "no task tag" / "no transfer tag"

enum class Opcode : std::uint8_t {
  // initiator to target
  kNopOut = 0x00,
  kScsiCommand = 0x01,
  kTaskManagement = 0x02,
  kLoginRequest = 0x03,
  kTextRequest = 0x04,
  kDataOut = 0x05,
  kLogoutRequest = 0x06,
  kSnack = 0x10,
  // target to initiator
  kNopIn = 0x20,
  kScsiResponse = 0x21,
  kTaskManagementResponse = 0x22,
  kLoginResponse = 0x23,
  kTextResponse = 0x24,
  kDataIn = 0x25,
  kLogoutResponse = 0x26,
  kR2T = 0x31,
  kAsyncMessage = 0x32,
  kReject = 0x3f,
};

// Login stages (CSG/NSG).
enum class Stage : std::uint8_t { kSecurity = 0, kOperational = 1, kFullFeature = 3 };

// Login response status (class << 8 | detail), RFC 7143 11.13.5.
enum LoginStatus : std::uint16_t {
  kLoginSuccess = 0x0000,
  kLoginInitiatorError = 0x0200,
  kLoginAuthenticationFailure = 0x0201,
  kLoginAuthorizationFailure = 0x0202,
  kLoginNotFound = 0x0203,
  kLoginMissingParameter = 0x0207,
  kLoginSessionTypeNotSupported = 0x0209,
  kLoginTargetError = 0x0300,
  kLoginOutOfResources = 0x0302,
};

// Reject reasons, RFC 7143 11.17.1.
enum RejectReason : std::uint8_t {
  kRejectProtocolError = 0x04,
  kRejectCommandNotSupported = 0x05,
  kRejectInvalidPduField = 0x09,
};

struct Pdu {
  std::array<std::uint8_t, kBhsSize> bhs{};
  std::vector<std::uint8_t> ahs;   // additional header segments, a multiple of 4 bytes
  std::vector<std::uint8_t> data;  // the data segment without its padding

  // --- fields common to every PDU
  Opcode opcode() const { return static_cast<Opcode>(bhs[0] & 0x3f); }
  std::uint8_t raw_opcode() const { return bhs[0] & 0x3f; }
  bool immediate() const { return (bhs[0] & 0x40) != 0; }
  bool final() const { return (bhs[1] & 0x80) != 0; }
  std::uint8_t flags() const { return bhs[1]; }
  std::uint64_t lun() const { return U64(8); }
  std::uint32_t itt() const { return U32(16); }
  std::uint32_t ttt() const { return U32(20); }
  // CmdSN (requests) or StatSN (responses); ExpStatSN or ExpCmdSN; MaxCmdSN.
  std::uint32_t sn24() const { return U32(24); }
  std::uint32_t sn28() const { return U32(28); }
  std::uint32_t sn32() const { return U32(32); }

  void SetOpcode(Opcode op, bool immediate = false) {
    bhs[0] = static_cast<std::uint8_t>((immediate ? 0x40 : 0) | static_cast<std::uint8_t>(op));
  }
  void SetFlags(std::uint8_t f) { bhs[1] = f; }
  void SetLun(std::uint64_t v) { SetU64(8, v); }
  void SetItt(std::uint32_t v) { SetU32(16, v); }
  void SetTtt(std::uint32_t v) { SetU32(20, v); }

  // --- Login request/response (RFC 7143 11.12, 11.13)
  bool transit() const { return (bhs[1] & 0x80) != 0; }
  bool continue_bit() const { return (bhs[1] & 0x40) != 0; }
  Stage csg() const { return static_cast<Stage>((bhs[1] >> 2) & 3); }
  Stage nsg() const { return static_cast<Stage>(bhs[1] & 3); }
  void SetLoginFlags(bool transit, bool cont, Stage csg, Stage nsg) {
    bhs[1] = static_cast<std::uint8_t>((transit ? 0x80 : 0) | (cont ? 0x40 : 0) |
                                       (static_cast<std::uint8_t>(csg) << 2) | static_cast<std::uint8_t>(nsg));
  }
  std::array<std::uint8_t, 6> isid() const { return {bhs[8], bhs[9], bhs[10], bhs[11], bhs[12], bhs[13]}; }
  std::uint16_t tsih() const { return U16(14); }
  void SetTsih(std::uint16_t v) { SetU16(14, v); }
  std::uint16_t login_status() const { return static_cast<std::uint16_t>(bhs[36] << 8 | bhs[37]); }
  void SetLoginStatus(std::uint16_t s) { SetU16(36, s); }

  // --- SCSI Command (11.3)
  bool read_bit() const { return (bhs[1] & 0x40) != 0; }
  bool write_bit() const { return (bhs[1] & 0x20) != 0; }
  std::uint32_t expected_length() const { return U32(20); }
  std::span<const std::uint8_t> cdb() const { return {bhs.data() + 32, 16}; }

  // --- Data-In/Data-Out/R2T
  std::uint32_t data_sn() const { return U32(36); }
  std::uint32_t buffer_offset() const { return U32(40); }
  std::uint32_t desired_length() const { return U32(44); }

  // Big-endian field access by byte offset into the BHS (offset + width <= 48).
  std::uint16_t U16(std::size_t at) const;
  std::uint32_t U32(std::size_t at) const;
  std::uint64_t U64(std::size_t at) const;
  void SetU16(std::size_t at, std::uint16_t v);
  void SetU32(std::size_t at, std::uint32_t v);
  void SetU64(std::size_t at, std::uint64_t v);
};

// The whole PDU as it goes on the wire: BHS with TotalAHSLength and DataSegmentLength filled in
// from `ahs` and `data`, then AHS, then data padded with zeros to a multiple of 4.
std::vector<std::uint8_t> Serialize(const Pdu& pdu);
void AppendSerialized(const Pdu& pdu, std::vector<std::uint8_t>& out);

// Cuts a byte stream into PDUs. Feed bytes as they arrive, then call Next() until it returns
// no PDU. A data segment longer than `max_data` (or an AHS that claims more than the BHS allows)
// is an error; after an error the reader stays failed.
class PduReader {
 public:
  explicit PduReader(std::size_t max_data = 1u << 24) : max_data_(max_data) {}
  void Feed(std::span<const std::uint8_t> bytes);
  Result<std::optional<Pdu>> Next();
  void set_max_data(std::size_t n) { max_data_ = n; }
  std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  std::size_t max_data_;
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;
  std::optional<Error> failed_;
};

// --- text keys (RFC 7143 section 6) ---------------------------------------------------------

struct TextLimits {
  std::size_t max_pairs = 128;
  std::size_t max_key = 63;       // RFC 7143 6.1: key names up to 63 bytes
  std::size_t max_value = 8192;   // room for 1024-byte binary CHAP values in hex
  bool allow_repeats = false;     // SendTargets answers repeat TargetName and TargetAddress
};

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Parses "key=value\0key=value\0". Every pair must end with NUL, a key is non-empty
// [A-Za-z0-9.+-_] text, a key appears once (unless allow_repeats); otherwise an error naming the problem (never a value,
// which may be secret-derived).
Result<KeyValues> ParseText(std::span<const std::uint8_t> data, const TextLimits& limits = {});
std::vector<std::uint8_t> FormatText(const KeyValues& pairs);
// The value of `key`, or nullptr.
const std::string* FindKey(const KeyValues& pairs, std::string_view key);

// An iSCSI numerical value: decimal, or hex with 0x/0X. No sign, no spaces; nullopt on overflow.
std::optional<std::uint64_t> ParseNumber(std::string_view text);

// Serial number arithmetic (RFC 1982, 32 bits), for CmdSN and StatSN windows.
inline bool SerialLess(std::uint32_t a, std::uint32_t b) {
  return a != b && static_cast<std::uint32_t>(b - a) < 0x80000000u;
}

}  // namespace chapcheck::iscsi
